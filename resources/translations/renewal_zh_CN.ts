<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CaSecretDialog</name>
    <message>
        <source>Authorisation from the CA</source>
        <translation>证书机构授权</translation>
    </message>
    <message>
        <source>%1 protects online renewal with a reference number and a one-time authorisation code. Type both as the CA gave them to you.</source>
        <translation>%1 的在线延期需要参考号和一次性授权码，请按证书机构提供的内容填写。</translation>
    </message>
    <message>
        <source>Reference number</source>
        <translation>参考号</translation>
    </message>
    <message>
        <source>Authorisation code</source>
        <translation>授权码</translation>
    </message>
</context>
<context>
    <name>ProgressCard</name>
    <message>
        <source>Show my certificates</source>
        <translation>查看我的证书</translation>
    </message>
    <message>
        <source>Renewing: %1</source>
        <translation>正在延期：%1</translation>
    </message>
    <message>
        <source>Done: the certificate of %1 is renewed</source>
        <translation>完成：%1的证书已延期</translation>
    </message>
    <message>
        <source>The new certificate is on the USB key, valid until %1. Websites and e-seals use it from now on.</source>
        <translation>新证书已写入U盾，有效期至 %1。网报登录和电子签章从现在起使用新证书。</translation>
    </message>
    <message>
        <source>Not renewed: %1</source>
        <translation>未能延期：%1</translation>
    </message>
    <message>
        <source>Nothing on the USB key was changed. The message explains what to do.</source>
        <translation>U盾里没有做任何改动。请按提示窗口中的说明处理。</translation>
    </message>
    <message>
        <source>1. Fill in the renewal form on the website.</source>
        <translation>1. 在网站上填写延期申请表。</translation>
    </message>
    <message>
        <source>2. Pay the certificate service fee there.</source>
        <translation>2. 在网站上支付数字证书服务费。</translation>
    </message>
    <message>
        <source>3. Then click &quot;Install renewed certificate&quot; on the website: this window asks you to confirm and to type the PIN. The new certificate then appears here.</source>
        <translation>3. 付款后在网站上点击“安装延期证书”：助手会弹出窗口请你确认并输入数字证书口令，安装好的新证书随后显示在这里。</translation>
    </message>
    <message>
        <source>The renewal website of %1 is open in your browser</source>
        <translation>已在浏览器中打开%1的证书延期网站</translation>
    </message>
</context>
<context>
    <name>Recovery</name>
    <message>
        <source>Finish the interrupted certificate installation</source>
        <translation>完成上次被中断的证书安装</translation>
    </message>
    <message>
        <source>Interrupted renewal</source>
        <translation>未完成的证书延期</translation>
    </message>
</context>
<context>
    <name>RenewRow</name>
    <message>
        <source>Signing</source>
        <translation>签名证书</translation>
    </message>
    <message>
        <source>Encryption</source>
        <translation>加密证书</translation>
    </message>
    <message>
        <source>Holder</source>
        <translation>持有人</translation>
    </message>
    <message>
        <source>Issuer</source>
        <translation>颁发者</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>U盾</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <source>Replaced by a newer certificate</source>
        <translation>已由新证书替代</translation>
    </message>
    <message>
        <source>Renew now</source>
        <translation>一键延期</translation>
    </message>
</context>
<context>
    <name>RenewalPage</name>
    <message>
        <source>Certificate renewal</source>
        <translation>证书延期</translation>
    </message>
    <message>
        <source>Renew before the certificate expires: online with the CA, on the CA&apos;s website, or from a certificate file the CA sent you</source>
        <translation>请在证书到期前办理延期：在线向证书机构申请、在证书机构网站办理，或导入证书机构发来的证书文件</translation>
    </message>
    <message>
        <source>Import certificate file</source>
        <translation>导入证书文件</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Certificates on the inserted keys</source>
        <translation>已插入U盾中的证书</translation>
    </message>
    <message>
        <source>Looking for USB keys…</source>
        <translation>正在查找U盾…</translation>
    </message>
    <message>
        <source>Renewal history</source>
        <translation>延期记录</translation>
    </message>
    <message>
        <source>Reading certificates</source>
        <translation>正在读取证书</translation>
    </message>
    <message>
        <source>No certificate with a private key found. Please insert your USB key.</source>
        <translation>没有找到带私钥的证书，请插入数字证书U盾。</translation>
    </message>
    <message>
        <source>No renewals yet.</source>
        <translation>还没有延期记录。</translation>
    </message>
    <message>
        <source>Online (same key)</source>
        <translation>在线延期（原密钥）</translation>
    </message>
    <message>
        <source>Online (new key)</source>
        <translation>在线延期（新密钥）</translation>
    </message>
    <message>
        <source>Certificate file</source>
        <translation>导入证书文件</translation>
    </message>
    <message>
        <source>CA website</source>
        <translation>证书机构网站</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <source>Undone</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <source>Opening the CA&apos;s website</source>
        <translation>正在打开证书机构网站</translation>
    </message>
    <message>
        <source>CA renewal website opened</source>
        <translation>已打开证书机构延期网站</translation>
    </message>
    <message>
        <source>Finish the renewal on the CA&apos;s website; it installs the new certificate through the helper.</source>
        <translation>请在证书机构网站上完成延期，网站会通过本助手把新证书写入U盾。</translation>
    </message>
    <message>
        <source>Renew certificate</source>
        <translation>证书延期</translation>
    </message>
    <message>
        <source>Certificates (%1)</source>
        <translation>证书文件 (%1)</translation>
    </message>
    <message>
        <source>Installing the certificate</source>
        <translation>正在安装证书</translation>
    </message>
</context>
<context>
    <name>StepsBar</name>
    <message>
        <source>Check certificate</source>
        <translation>校验证书</translation>
    </message>
    <message>
        <source>Write to key</source>
        <translation>写入U盾</translation>
    </message>
    <message>
        <source>Verify writing</source>
        <translation>校验写入</translation>
    </message>
    <message>
        <source>Remove old certificate</source>
        <translation>清理旧证书</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
</context>
</TS>
