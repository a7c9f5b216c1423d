<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ConsentDialog</name>
    <message>
        <source>Website request</source>
        <translation>网站请求使用U盾</translation>
    </message>
    <message>
        <source>Allow website</source>
        <translation>允许网站使用数字证书助手</translation>
    </message>
    <message>
        <source>Website</source>
        <translation>网站</translation>
    </message>
    <message>
        <source>Certificate (unit name)</source>
        <translation>选择证书（单位名称）</translation>
    </message>
    <message>
        <source>File: %1 (%2 pages)</source>
        <translation>文件：%1（共 %2 页）</translation>
    </message>
    <message>
        <source>File: %1 (1 page)</source>
        <translation>文件：%1（共 1 页）</translation>
    </message>
    <message>
        <source>PIN of the USB key (only typed here, never sent to the website):</source>
        <translation>U盾口令（只在这里输入，不会发送给网站）：</translation>
    </message>
    <message>
        <source>Allow</source>
        <translation>允许</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Do not allow</source>
        <translation>不允许</translation>
    </message>
    <message>
        <source>This website wants to read the certificates on your USB key. Allow it? Check the address: allow only the official site.</source>
        <translation>这个网站请求读取U盾中的证书。是否允许？请核对网址，只允许官方网站。</translation>
    </message>
    <message>
        <source>This website asks to log you in with your USB key.</source>
        <translation>这个网站请求使用U盾登录。</translation>
    </message>
    <message>
        <source>This website asks to put your unit&apos;s e-seal on a document.</source>
        <translation>这个网站请求在文件上加盖本单位的电子签章。</translation>
    </message>
</context>
<context>
    <name>PortalTile</name>
    <message>
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
    <message>
        <source>USB key login</source>
        <translation>U盾登录</translation>
    </message>
    <message>
        <source>QR code login</source>
        <translation>扫码登录</translation>
    </message>
    <message>
        <source>Password login</source>
        <translation>密码登录</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>已就绪</translation>
    </message>
    <message>
        <source>Key and certificate OK. %1</source>
        <translation>U盾和证书正常。%1</translation>
    </message>
    <message>
        <source>Opening in %1…</source>
        <translation>正在用 %1 打开…</translation>
    </message>
    <message>
        <source>Opened in %1.</source>
        <translation>已用 %1 打开。</translation>
    </message>
    <message>
        <source>the default browser</source>
        <translation>默认浏览器</translation>
    </message>
</context>
<context>
    <name>PortalsPage</name>
    <message>
        <source>Social insurance portals</source>
        <translation>社保网报</translation>
    </message>
    <message>
        <source>Click a portal to open it: your USB key, certificate and login service are checked first.</source>
        <translation>插入U盾后点击要办理业务的网站。助手会先检查U盾、证书和网站登录服务，再用推荐的浏览器打开网站。</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>重新检查</translation>
    </message>
</context>
<context>
    <name>ServiceBanner</name>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Starting the login service…</source>
        <translation>正在启动网站登录服务…</translation>
    </message>
</context>
</TS>
