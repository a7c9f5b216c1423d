<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>DiagnosticsPage</name>
    <message>
        <source>Diagnostics and repair</source>
        <translation>检测修复</translation>
    </message>
    <message>
        <source>Key not recognised, site says there is no certificate, PIN box never appears? Insert your USB key and click the button: the helper checks everything and explains what to do.</source>
        <translation>识别不到U盾、网站提示找不到证书、不弹出输入口令的窗口？插好U盾后点下面的按钮，数字证书助手会逐项检查，并告诉您怎么处理。</translation>
    </message>
    <message>
        <source>One-click check</source>
        <translation>一键检测</translation>
    </message>
    <message>
        <source>Export report…</source>
        <translation>导出检测报告…</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在检测…</translation>
    </message>
    <message>
        <source>Checking this computer</source>
        <translation>正在检测这台电脑</translation>
    </message>
    <message>
        <source>Problems found: %1. Follow the steps below, or click Fix.</source>
        <translation>发现 %1 个问题：请按下面的步骤处理，或点“修复”。</translation>
    </message>
    <message>
        <source>Problems found: %1. Follow the steps below.</source>
        <translation>发现 %1 个问题：请按下面的步骤处理。</translation>
    </message>
    <message>
        <source>No problem found. Things to note: %1.</source>
        <translation>没有发现问题，有 %1 项需要注意。</translation>
    </message>
    <message>
        <source>Everything is fine.</source>
        <translation>一切正常。</translation>
    </message>
    <message>
        <source>Fix</source>
        <translation>修复</translation>
    </message>
    <message>
        <source>Fix “%1” now? This changes settings of this computer for your user only.</source>
        <translation>现在修复“%1”吗？这只会改动当前用户在这台电脑上的设置。</translation>
    </message>
    <message>
        <source>Repairing</source>
        <translation>正在修复</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>导出检测报告</translation>
    </message>
    <message>
        <source>Report saved: %1</source>
        <translation>检测报告已保存：%1</translation>
    </message>
    <message>
        <source>Support: %1</source>
        <translation>客服：%1</translation>
    </message>
    <message>
        <source>Support: the hotline of the CA that issued your USB key (on its box or website). Send them the exported report.</source>
        <translation>客服：请拨打发证CA的客服电话（见U盾包装盒或CA网站），并把导出的检测报告发给他们。</translation>
    </message>
</context>
<context>
    <name>ResultRow</name>
    <message>
        <source>Fix</source>
        <translation>修复</translation>
    </message>
</context>
</TS>
