<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>SignTab</name>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Files to sign</source>
        <translation>要签章的文件</translation>
    </message>
    <message>
        <source>Drop PDF files or folders here</source>
        <translation>把要签章的文件或文件夹拖到这里</translation>
    </message>
    <message>
        <source>Open file</source>
        <translation>打开文件</translation>
    </message>
    <message>
        <source>Open the signed copy of the chosen file</source>
        <translation>打开所选文件签好的那一份</translation>
    </message>
    <message>
        <source>Page</source>
        <translation>页码</translation>
    </message>
    <message>
        <source>Drop PDF files here, or click “Add files”</source>
        <translation>把要签章的文件拖到这里，或点击“添加文件”</translation>
    </message>
    <message>
        <source>Add several files or a whole folder: you type the PIN only once.</source>
        <translation>可以一次添加多个文件或整个文件夹，只需输入一次口令。</translation>
    </message>
    <message>
        <source>This file cannot be shown</source>
        <translation>这个文件无法预览</translation>
    </message>
    <message>
        <source>It stays in the list: signing explains what is wrong with it.</source>
        <translation>文件仍在列表中，签章时会说明问题所在。</translation>
    </message>
    <message>
        <source>Signing certificate</source>
        <translation>签章证书</translation>
    </message>
    <message>
        <source>Please insert your USB key</source>
        <translation>请插入U盾</translation>
    </message>
    <message>
        <source>Text stamp only (no seal image)</source>
        <translation>仅文字签章（无印章图片）</translation>
    </message>
    <message>
        <source>Seal image…</source>
        <translation>选择印章图片…</translation>
    </message>
    <message>
        <source> mm</source>
        <translation> 毫米</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Snap to text</source>
        <translation>对准文字盖章</translation>
    </message>
    <message>
        <source>Cross-page seal</source>
        <translation>加盖骑缝章</translation>
    </message>
    <message>
        <source>Invisible signature</source>
        <translation>不显示印章（隐形签名）</translation>
    </message>
    <message>
        <source>Split across the right edge of every page: the pages belong together.</source>
        <translation>印章分成几份盖在每页右边缘，证明各页属于同一份文件。</translation>
    </message>
    <message>
        <source>The file is signed, but no seal is shown on the page.</source>
        <translation>文件带有电子签名，但页面上不显示印章图案。</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>签章</translation>
    </message>
    <message>
        <source>Not processed: the batch stopped before this file.</source>
        <translation>未处理：签章在这个文件之前停止了。</translation>
    </message>
    <message>
        <source>Finding the seal position</source>
        <translation>正在确定盖章位置</translation>
    </message>
    <message>
        <source>Showing the page</source>
        <translation>正在显示页面</translation>
    </message>
    <message>
        <source>No seal on the page</source>
        <translation>页面上不显示印章</translation>
    </message>
    <message>
        <source>On the text “%1” in every file</source>
        <translation>每个文件都盖在文字“%1”上</translation>
    </message>
    <message>
        <source>Page %1, where you put it</source>
        <translation>第 %1 页，您拖放的位置</translation>
    </message>
    <message>
        <source>Lower right of the last page of every file</source>
        <translation>每个文件最后一页的右下角</translation>
    </message>
    <message>
        <source>Checking the files</source>
        <translation>正在检查文件</translation>
    </message>
    <message>
        <source>E-seal 1 file</source>
        <translation>电子签章（1 个文件）</translation>
    </message>
    <message>
        <source>E-seal %1 files</source>
        <translation>电子签章（%1 个文件）</translation>
    </message>
    <message>
        <source>Signed (repaired)</source>
        <translation>已签章（已修复）</translation>
    </message>
    <message>
        <source>The file was damaged; it was rebuilt, then signed.</source>
        <translation>原文件结构有损坏，已修复后签章。</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Seal</source>
        <translation>印章</translation>
    </message>
    <message>
        <source>Seal size</source>
        <translation>印章大小</translation>
    </message>
    <message>
        <source>Place on the text</source>
        <translation>盖在这段文字上</translation>
    </message>
    <message>
        <source>Puts the seal on this text in every file, or drag the seal on the preview.</source>
        <translation>把印章盖在每个文件的这段文字上，也可以在预览中拖动印章。</translation>
    </message>
    <message>
        <source>Back to the lower right of the last page</source>
        <translation>改回最后一页右下角</translation>
    </message>
    <message>
        <source>Save to folder</source>
        <translation>保存到文件夹</translation>
    </message>
    <message>
        <source>Next to the original files</source>
        <translation>保存在原文件旁边</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Signed copies are saved as new files; the originals stay unchanged.</source>
        <translation>签好的文件另存为新文件，原文件保持不变。</translation>
    </message>
    <message>
        <source>%1 · %2 · until %3</source>
        <translation>%1 · %2 · 至 %3</translation>
    </message>
    <message>
        <source>Unit: %1</source>
        <translation>单位：%1</translation>
    </message>
    <message>
        <source>Holder: %1</source>
        <translation>持有人：%1</translation>
    </message>
    <message>
        <source>%1 key, valid until %2</source>
        <translation>%1 密钥，有效期至 %2</translation>
    </message>
    <message>
        <source>On the key “%1”</source>
        <translation>在U盾“%1”上</translation>
    </message>
    <message>
        <source>Reading the seals on the key</source>
        <translation>正在读取U盾里的印章</translation>
    </message>
    <message>
        <source>Seal on the key: %1</source>
        <translation>U盾中的印章：%1</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等待签章</translation>
    </message>
    <message>
        <source>Signed, saved as %1</source>
        <translation>已签章，保存为 %1</translation>
    </message>
    <message>
        <source>Not signed: %1</source>
        <translation>未签章：%1</translation>
    </message>
    <message>
        <source>This file has one page: a cross-page seal needs two or more.</source>
        <translation>这个文件只有一页：骑缝章要两页或更多。</translation>
    </message>
    <message>
        <source>Not signed</source>
        <translation>未签章</translation>
    </message>
    <message>
        <source>Sign 1 file</source>
        <translation>签章（1 个文件）</translation>
    </message>
    <message>
        <source>Sign %1 files</source>
        <translation>签章（%1 个文件）</translation>
    </message>
    <message>
        <source>Reading certificates</source>
        <translation>正在读取证书</translation>
    </message>
    <message>
        <source>Signing…</source>
        <translation>正在签章…</translation>
    </message>
    <message>
        <source>Signing</source>
        <translation>正在签章</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>已签章</translation>
    </message>
    <message>
        <source>Not processed</source>
        <translation>未处理</translation>
    </message>
    <message>
        <source>Signed: %1, not signed: %2</source>
        <translation>已签章 %1 个，未签章 %2 个</translation>
    </message>
</context>
<context>
    <name>SigningPage</name>
    <message>
        <source>E-signing</source>
        <translation>电子签章</translation>
    </message>
    <message>
        <source>Put your unit&apos;s e-seal on PDF files, or check a signed PDF</source>
        <translation>给文件加盖本单位的电子印章，或检查已签章的文件是否有效</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>签章</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>验证</translation>
    </message>
</context>
<context>
    <name>VerifyTab</name>
    <message>
        <source>Open PDF to verify…</source>
        <translation>打开要验证的文件…</translation>
    </message>
    <message>
        <source>Drop a signed PDF here, or click “Open PDF to verify”</source>
        <translation>把已签章的文件拖到这里，或点击“打开要验证的文件”</translation>
    </message>
    <message>
        <source>Every e-seal is checked, and whether the file was changed after signing.</source>
        <translation>助手会检查每个电子印章是否有效，以及文件在签章后有没有被改动。</translation>
    </message>
    <message>
        <source>Verifying</source>
        <translation>正在验证</translation>
    </message>
    <message>
        <source>This PDF has no e-seal</source>
        <translation>这份文件没有电子签章</translation>
    </message>
    <message>
        <source>All e-seals are valid: the document is unchanged since signing</source>
        <translation>签章全部有效：文件自签章后没有被修改</translation>
    </message>
    <message>
        <source>The document was changed after the last e-seal</source>
        <translation>最后一个签章之后文件被改动过</translation>
    </message>
    <message>
        <source>Not all e-seals are valid: see below</source>
        <translation>有签章无效，详见下方</translation>
    </message>
    <message>
        <source>E-seal %1 of %2</source>
        <translation>签章 %1 / %2</translation>
    </message>
    <message>
        <source>No seal shown on the page</source>
        <translation>页面上没有显示印章</translation>
    </message>
    <message>
        <source>Signer</source>
        <translation>签章人</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Issued by</source>
        <translation>证书签发机构</translation>
    </message>
    <message>
        <source>Signed at</source>
        <translation>签章时间</translation>
    </message>
    <message>
        <source> (the signer&apos;s computer clock)</source>
        <translation>（签章电脑的时钟）</translation>
    </message>
    <message>
        <source>Timestamp</source>
        <translation>时间戳</translation>
    </message>
    <message>
        <source>None: the time comes from the signer&apos;s computer</source>
        <translation>无：时间来自签章电脑</translation>
    </message>
    <message>
        <source>%1, from a trusted time server</source>
        <translation>%1，来自受信任的时间服务器</translation>
    </message>
    <message>
        <source>%1, from a time server that is not trusted</source>
        <translation>%1，来自不受信任的时间服务器</translation>
    </message>
    <message>
        <source>%1 to %2</source>
        <translation>%1 至 %2</translation>
    </message>
    <message>
        <source>Certificate valid</source>
        <translation>证书有效期</translation>
    </message>
    <message>
        <source>, valid when signed</source>
        <translation>，签章时在有效期内</translation>
    </message>
    <message>
        <source>, not valid when signed</source>
        <translation>，签章时不在有效期内</translation>
    </message>
    <message>
        <source>Certificate</source>
        <translation>证书</translation>
    </message>
    <message>
        <source>Issued by a trusted authority</source>
        <translation>由受信任的机构签发</translation>
    </message>
    <message>
        <source>Its issuer is not in the trusted list</source>
        <translation>签发机构不在信任列表中</translation>
    </message>
    <message>
        <source>Changes afterwards</source>
        <translation>签章后的改动</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>The signed content was altered: this e-seal is broken</source>
        <translation>签章的内容被改动过，这个签章已失效</translation>
    </message>
    <message>
        <source>None: the document is as it was signed</source>
        <translation>没有改动，文件与签章时一致</translation>
    </message>
    <message>
        <source>Only later e-seals or filled-in form fields were added</source>
        <translation>之后只增加了其他签章或填写了表单</translation>
    </message>
    <message>
        <source>The document was changed after this e-seal</source>
        <translation>这个签章之后文件被改动过</translation>
    </message>
</context>
</TS>
