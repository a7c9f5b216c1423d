<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CertDetailsDialog</name>
    <message>
        <source>Certificate details</source>
        <translation>证书详情</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <source>Certification path</source>
        <translation>证书路径</translation>
    </message>
    <message>
        <source>Export certificate…</source>
        <translation>导出证书…</translation>
    </message>
    <message>
        <source>The chain reaches a trusted root certificate.</source>
        <translation>证书链完整，可追溯到受信任的根证书。</translation>
    </message>
    <message>
        <source>The issuing CA certificate is not on this computer, so the chain is incomplete. Diagnostics can install your CA&apos;s certificates.</source>
        <translation>这台电脑上没有发证CA的证书，证书链不完整。“检测修复”可以为您安装CA证书。</translation>
    </message>
</context>
<context>
    <name>CertRow</name>
    <message>
        <source>This certificate object cannot be read. Diagnostics can check the key.</source>
        <translation>这个证书无法读取，可以用“检测修复”检查U盾。</translation>
    </message>
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
        <source>Valid</source>
        <translation>有效期</translation>
    </message>
    <message>
        <source>View certificate</source>
        <translation>查看证书</translation>
    </message>
    <message>
        <source>Export certificate</source>
        <translation>导出证书</translation>
    </message>
    <message>
        <source>Unreadable</source>
        <translation>无法读取</translation>
    </message>
</context>
<context>
    <name>CertificatesPage</name>
    <message>
        <source>My certificates</source>
        <translation>我的证书</translation>
    </message>
    <message>
        <source>USB keys inserted in this computer and the certificates on them</source>
        <translation>插在这台电脑上的U盾及其中的证书</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Looking for USB keys…</source>
        <translation>正在检测U盾…</translation>
    </message>
    <message>
        <source>Reading certificates</source>
        <translation>正在读取证书</translation>
    </message>
    <message>
        <source>Reading the key</source>
        <translation>正在读取U盾</translation>
    </message>
    <message>
        <source>Reading the keys</source>
        <translation>正在读取U盾</translation>
    </message>
    <message>
        <source>Certificate expires soon</source>
        <translation>证书即将到期</translation>
    </message>
</context>
<context>
    <name>ChangePinDialog</name>
    <message>
        <source>Change PIN</source>
        <translation>修改口令</translation>
    </message>
    <message>
        <source>Choose a new PIN for this key. The PIN protects your company&apos;s seal: use 6 to 16 characters that others cannot guess.</source>
        <translation>请为这个U盾设置新口令。口令保护着单位的电子印章，请使用别人猜不到的 6 到 16 位字符。</translation>
    </message>
    <message>
        <source>Current PIN:</source>
        <translation>原口令：</translation>
    </message>
</context>
<context>
    <name>DefaultPinBanner</name>
    <message>
        <source>Change PIN now</source>
        <translation>立即修改口令</translation>
    </message>
</context>
<context>
    <name>EmptyState</name>
    <message>
        <source>Please insert your digital certificate USB key</source>
        <translation>请插入您的数字证书 U盾</translation>
    </message>
    <message>
        <source>Your keys and certificates appear here as soon as the key is plugged in.</source>
        <translation>插入U盾后，U盾和证书会自动显示在这里。</translation>
    </message>
    <message>
        <source>Key inserted but not shown? Run Diagnostics</source>
        <translation>已插入U盾但没有显示？点此“检测修复”</translation>
    </message>
</context>
<context>
    <name>Expiry</name>
    <message>
        <source>Expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>Not yet valid</source>
        <translation>尚未生效</translation>
    </message>
    <message>
        <source>Expires in 1 day</source>
        <translation>1 天后到期</translation>
    </message>
    <message>
        <source>Expires in %1 days</source>
        <translation>%1 天后到期</translation>
    </message>
    <message>
        <source>1 day left</source>
        <translation>剩余 1 天</translation>
    </message>
    <message>
        <source>%1 days left</source>
        <translation>剩余 %1 天</translation>
    </message>
</context>
<context>
    <name>ExpiryBanner</name>
    <message>
        <source>Renew now →</source>
        <translation>去延期 →</translation>
    </message>
    <message>
        <source>signing certificate</source>
        <translation>签名证书</translation>
    </message>
    <message>
        <source>encryption certificate</source>
        <translation>加密证书</translation>
    </message>
    <message>
        <source>%1 (%2, key %3)</source>
        <translation>%1（%2，U盾 %3）</translation>
    </message>
    <message>
        <source>The %1 of %2 expired on %3</source>
        <translation>%2的%1已于 %3 过期</translation>
    </message>
    <message>
        <source>The %1 of %2 expires today (%4)</source>
        <translation>%2的%1今天到期（%4）</translation>
    </message>
    <message>
        <source>The %1 of %2 expires in 1 day (%4)</source>
        <translation>%2的%1 1 天后到期（%4）</translation>
    </message>
    <message>
        <source>The %1 of %2 expires in %3 days (%4)</source>
        <translation>%2的%1 %3 天后到期（%4）</translation>
    </message>
    <message>
        <source>Renew it before then, and it keeps working for websites and e-seals.</source>
        <translation>到期前办好延期，网报登录和电子签章就不会中断。</translation>
    </message>
    <message>
        <source>Other certificates are due too: see Certificate renewal.</source>
        <translation>还有其他证书也需要延期，请到“证书延期”页面查看。</translation>
    </message>
</context>
<context>
    <name>Export</name>
    <message>
        <source>Export certificate</source>
        <translation>导出证书</translation>
    </message>
    <message>
        <source>Certificate (*.cer)</source>
        <translation>证书文件 (*.cer)</translation>
    </message>
</context>
<context>
    <name>KeyCard</name>
    <message>
        <source>Change PIN</source>
        <translation>修改口令</translation>
    </message>
    <message>
        <source>Unblock PIN</source>
        <translation>解锁口令</translation>
    </message>
    <message>
        <source>Reading certificates…</source>
        <translation>正在读取证书…</translation>
    </message>
    <message>
        <source>Vendor: %1</source>
        <translation>厂商：%1</translation>
    </message>
    <message>
        <source>Serial number: %1</source>
        <translation>序列号：%1</translation>
    </message>
    <message>
        <source>There is no certificate on this key.</source>
        <translation>这个U盾中没有证书。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Certificate Helper</source>
        <translation>数字证书助手</translation>
    </message>
    <message>
        <source>Version %1</source>
        <translation>版本 %1</translation>
    </message>
</context>
<context>
    <name>MessageDialog</name>
    <message>
        <source>Certificate Helper</source>
        <translation>数字证书助手</translation>
    </message>
    <message>
        <source>Explanation</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Solution</source>
        <translation>解决方案</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>New PIN:</source>
        <translation>新口令：</translation>
    </message>
    <message>
        <source>Repeat new PIN:</source>
        <translation>确认新口令：</translation>
    </message>
    <message>
        <source>Caps Lock is on</source>
        <translation>大写锁定已打开</translation>
    </message>
    <message>
        <source>Type the new PIN again to confirm it.</source>
        <translation>请再输入一次新口令进行确认。</translation>
    </message>
    <message>
        <source>✓ The new PIN meets the rules.</source>
        <translation>✓ 新口令符合要求。</translation>
    </message>
</context>
<context>
    <name>PinEntryDialog</name>
    <message>
        <source>Enter administrator PIN</source>
        <translation>输入管理员口令</translation>
    </message>
    <message>
        <source>Enter PIN</source>
        <translation>输入口令</translation>
    </message>
    <message>
        <source>Requested by</source>
        <translation>网站</translation>
    </message>
    <message>
        <source>USB key: %1</source>
        <translation>U盾：%1</translation>
    </message>
    <message>
        <source>Administrator PIN of this key:</source>
        <translation>这个U盾的管理员口令：</translation>
    </message>
    <message>
        <source>PIN of this key:</source>
        <translation>这个U盾的口令：</translation>
    </message>
    <message>
        <source>Caps Lock is on</source>
        <translation>大写锁定已打开</translation>
    </message>
</context>
<context>
    <name>PinField</name>
    <message>
        <source>Show the PIN</source>
        <translation>显示口令</translation>
    </message>
    <message>
        <source>Hide the PIN</source>
        <translation>隐藏口令</translation>
    </message>
</context>
<context>
    <name>PinState</name>
    <message>
        <source>PIN locked: unblock it with the administrator PIN</source>
        <translation>口令已锁定：请用管理员口令解锁</translation>
    </message>
    <message>
        <source>Last chance: one more wrong PIN locks the key</source>
        <translation>最后一次机会：再输错一次U盾将被锁定</translation>
    </message>
    <message>
        <source>A wrong PIN was entered before: type it carefully</source>
        <translation>之前输错过口令，请仔细输入</translation>
    </message>
    <message>
        <source>The PIN must be changed before use</source>
        <translation>使用前需要先修改口令</translation>
    </message>
    <message>
        <source>No PIN set on this key</source>
        <translation>这个U盾还没有设置口令</translation>
    </message>
    <message>
        <source>PIN normal</source>
        <translation>口令正常</translation>
    </message>
    <message>
        <source>Administrator PIN locked: only your CA can help now</source>
        <translation>管理员口令已锁定：只能联系发证CA处理</translation>
    </message>
    <message>
        <source>Last chance for the administrator PIN: one more mistake locks it</source>
        <translation>管理员口令最后一次机会：再输错一次将被锁定</translation>
    </message>
    <message>
        <source>A wrong administrator PIN was entered before: type it carefully</source>
        <translation>之前输错过管理员口令，请仔细输入</translation>
    </message>
</context>
<context>
    <name>Placeholder</name>
    <message>
        <source>This function is not available yet</source>
        <translation>此功能暂未开放</translation>
    </message>
    <message>
        <source>It will come with a later version of the helper. Until then, please use the tools your CA provides for it.</source>
        <translation>将在数字证书助手的后续版本中提供。在此之前，请使用发证CA提供的工具办理。</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <source>The new language is used after the helper is restarted.</source>
        <translation>重新启动数字证书助手后使用新的语言。</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <source>Start the helper when I log in</source>
        <translation>开机时自动启动数字证书助手</translation>
    </message>
    <message>
        <source>Start-up</source>
        <translation>开机启动</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>Remind me before expiry</source>
        <translation>证书到期提前提醒</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>打开日志文件夹</translation>
    </message>
    <message>
        <source>Logs</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>USB key driver</source>
        <translation>U盾驱动</translation>
    </message>
    <message>
        <source>Usually nothing is needed here: the helper finds the drivers of common keys by itself. If your key is not shown, choose the PKCS#11 driver file your CA provided.</source>
        <translation>通常无需设置：数字证书助手会自动查找常见U盾的驱动。如果您的U盾没有显示，请选择发证CA提供的 PKCS#11 驱动文件。</translation>
    </message>
    <message>
        <source>Path of the driver file (.dll / .so)</source>
        <translation>驱动文件路径（.dll / .so）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Choose the driver file</source>
        <translation>选择驱动文件</translation>
    </message>
    <message>
        <source>PKCS#11 driver (*.dll *.so *.dylib);;All files (*)</source>
        <translation>PKCS#11 驱动 (*.dll *.so *.dylib);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Saved. The driver is used after the helper is restarted.</source>
        <translation>已保存。重新启动数字证书助手后使用该驱动。</translation>
    </message>
    <message>
        <source>No extra driver is used.</source>
        <translation>不使用额外的驱动。</translation>
    </message>
    <message>
        <source>Support</source>
        <translation>技术支持</translation>
    </message>
    <message>
        <source>If something does not work, first run Diagnostics. Then contact:</source>
        <translation>遇到问题时，请先运行“检测修复”，再联系：</translation>
    </message>
    <message>
        <source>Your CA&apos;s hotline is printed on the key&apos;s envelope or on the certificate receipt.</source>
        <translation>发证CA的客服电话印在U盾的信封或证书领取单上。</translation>
    </message>
</context>
<context>
    <name>Shell</name>
    <message>
        <source>My certificates</source>
        <translation>我的证书</translation>
    </message>
    <message>
        <source>Renewal</source>
        <translation>证书延期</translation>
    </message>
    <message>
        <source>E-signing</source>
        <translation>电子签章</translation>
    </message>
    <message>
        <source>Portals</source>
        <translation>社保网报</translation>
    </message>
    <message>
        <source>Diagnostics</source>
        <translation>检测修复</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>Certificate Helper</source>
        <translation>数字证书助手</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开主窗口</translation>
    </message>
    <message>
        <source>My certificates</source>
        <translation>我的证书</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>USB key inserted</source>
        <translation>U盾已插入</translation>
    </message>
    <message>
        <source>USB key removed</source>
        <translation>U盾已拔出</translation>
    </message>
</context>
<context>
    <name>UnblockPinDialog</name>
    <message>
        <source>Unblock PIN</source>
        <translation>解锁口令</translation>
    </message>
    <message>
        <source>If the PIN was typed wrong too many times, the key is locked. The administrator PIN (from the envelope your CA gave you with the key) can unlock it and set a new PIN.&lt;br&gt;&lt;b&gt;Careful:&lt;/b&gt; the administrator PIN also locks after a few wrong tries, and then only your CA can help. If you are not sure of it, call your CA first.</source>
        <translation>口令输错次数过多时，U盾会被锁定。用管理员口令（在CA随U盾交给您的信封里）可以解锁，并设置新的口令。&lt;br&gt;&lt;b&gt;请注意：&lt;/b&gt;管理员口令输错几次后也会被锁定，那时只能由发证CA处理。如果不确定管理员口令，请先联系发证CA。</translation>
    </message>
    <message>
        <source>Administrator PIN:</source>
        <translation>管理员口令：</translation>
    </message>
</context>
</TS>
