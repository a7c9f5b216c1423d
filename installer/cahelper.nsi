; 数字证书助手 (cahelper) — Windows installer (NSIS 3, Unicode).
;
; Build (after PyInstaller made the onedir folder):
;   makensis -INPUTCHARSET UTF8 -DPAYLOAD=<dist\cahelper> -DOUTFILE=<setup.exe> -DVERSION=0.1.0 -DVERSION_NUMERIC=0.1.0.0 installer\cahelper.nsi
; installer/build.py --nsis and .github/workflows/windows-installer.yml pass these.
;
; Per-machine install into Program Files; components: program + shortcuts (required), start at login,
; root CA certificates, "使用数字证书助手签章" in the Explorer menu of PDF files. The uninstaller keeps the
; user's settings, logs and seal images unless its "remove my data" box is ticked.

Unicode true
ManifestDPIAware true
!ifndef COMPRESSOR
  !define COMPRESSOR "/SOLID lzma"
!endif
!if "${COMPRESSOR}" == "none"  ; packaging tests: store only, seconds instead of minutes
  SetCompress off
!else
  SetCompressor ${COMPRESSOR}
!endif

!ifndef PAYLOAD
  !error "define PAYLOAD: the PyInstaller onedir folder (dist\cahelper)"
!endif
!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef VERSION_NUMERIC
  !define VERSION_NUMERIC "0.1.0.0"
!endif
!ifndef OUTFILE
  !define OUTFILE "cahelper-setup-${VERSION}.exe"
!endif

!define APP_ID "cahelper"
!define APP_EXE "cahelper-gui.exe"
!define CLI_EXE "cahelper.exe"
!define PUBLISHER "cahelper"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define PDF_VERB_KEY "Software\Classes\SystemFileAssociations\.pdf\shell\cahelper.sign"

!include "MUI2.nsh"
!include "x64.nsh"
!include "LogicLib.nsh"

Name "$(APP_NAME)"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP_ID}"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
RequestExecutionLevel admin
BrandingText "$(APP_NAME) ${VERSION}"

VIProductVersion "${VERSION_NUMERIC}"
VIAddVersionKey /LANG=0 "ProductName" "cahelper"
VIAddVersionKey /LANG=0 "FileDescription" "cahelper setup"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "Apache-2.0"

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_SMALLDESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "$(FINISH_RUN)"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

LangString APP_NAME ${LANG_SIMPCHINESE} "数字证书助手"
LangString APP_NAME ${LANG_ENGLISH} "数字证书助手 (Certificate Helper)"
LangString SEC_CORE ${LANG_SIMPCHINESE} "数字证书助手（必需）"
LangString SEC_CORE ${LANG_ENGLISH} "Certificate helper (required)"
LangString SEC_CORE_DESC ${LANG_SIMPCHINESE} "程序文件，桌面和开始菜单快捷方式。"
LangString SEC_CORE_DESC ${LANG_ENGLISH} "The program, desktop and Start-menu shortcuts."
LangString SEC_AUTOSTART ${LANG_SIMPCHINESE} "开机自动启动"
LangString SEC_AUTOSTART ${LANG_ENGLISH} "Start at login"
LangString SEC_AUTOSTART_DESC ${LANG_SIMPCHINESE} "登录 Windows 后在托盘中启动，网站登录和证书到期提醒随时可用。"
LangString SEC_AUTOSTART_DESC ${LANG_ENGLISH} "Start in the tray after logging in, so site login and expiry reminders are always available."
LangString SEC_ROOTCA ${LANG_SIMPCHINESE} "安装根证书"
LangString SEC_ROOTCA ${LANG_ENGLISH} "Install root certificates"
LangString SEC_ROOTCA_DESC ${LANG_SIMPCHINESE} "把发证CA的根证书安装到当前用户的证书库，浏览器访问网报网站时不再提示“证书不可信”。"
LangString SEC_ROOTCA_DESC ${LANG_ENGLISH} "Install the CA's root certificates into the current user's store, so browsers trust the portals."
LangString SEC_PDFMENU ${LANG_SIMPCHINESE} "PDF 右键菜单“使用数字证书助手签章”"
LangString SEC_PDFMENU ${LANG_ENGLISH} "PDF context menu “Sign with the certificate helper”"
LangString SEC_PDFMENU_DESC ${LANG_SIMPCHINESE} "在资源管理器中右键 PDF 文件即可盖电子章。"
LangString SEC_PDFMENU_DESC ${LANG_ENGLISH} "Right-click a PDF file in Explorer to e-seal it."
LangString CTX_SIGN ${LANG_SIMPCHINESE} "使用数字证书助手签章"
LangString CTX_SIGN ${LANG_ENGLISH} "Sign with the certificate helper"
LangString FINISH_RUN ${LANG_SIMPCHINESE} "运行数字证书助手"
LangString FINISH_RUN ${LANG_ENGLISH} "Run the certificate helper"
LangString ROOTCA_FAILED ${LANG_SIMPCHINESE} "根证书没有安装成功，可稍后在数字证书助手的“检测修复”页面中修复。"
LangString ROOTCA_FAILED ${LANG_ENGLISH} "The root certificates were not installed; fix it later on the helper's Diagnostics page."
LangString UNSEC_CORE ${LANG_SIMPCHINESE} "卸载数字证书助手"
LangString UNSEC_CORE ${LANG_ENGLISH} "Remove the certificate helper"
LangString UNSEC_DATA ${LANG_SIMPCHINESE} "同时删除我的设置、日志和印章图片"
LangString UNSEC_DATA ${LANG_ENGLISH} "Also remove my settings, logs and seal images"
LangString UNSEC_DATA_DESC ${LANG_SIMPCHINESE} "不勾选时保留这些数据，重新安装后可继续使用。U盾里的证书不受影响。"
LangString UNSEC_DATA_DESC ${LANG_ENGLISH} "Unticked, they are kept for a later reinstall. The certificates on your USB key are never touched."
LangString RUNNING ${LANG_SIMPCHINESE} "数字证书助手正在运行，将先关闭它。"
LangString RUNNING ${LANG_ENGLISH} "The certificate helper is running and will be closed first."

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "This program needs 64-bit Windows. / 本程序需要 64 位 Windows。"
    Abort
  ${EndIf}
  SetRegView 64
  !insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

!macro CloseRunning
  nsExec::Exec 'taskkill /IM "${APP_EXE}" /T'
  Pop $0
  Sleep 500
!macroend

Section "!$(SEC_CORE)" SecCore
  SectionIn RO
  !insertmacro CloseRunning
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File /r "${PAYLOAD}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$DESKTOP\$(APP_NAME).lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0
  CreateDirectory "$SMPROGRAMS\$(APP_NAME)"
  CreateShortCut "$SMPROGRAMS\$(APP_NAME)\$(APP_NAME).lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0
  CreateShortCut "$SMPROGRAMS\$(APP_NAME)\$(UNSEC_CORE).lnk" "$INSTDIR\uninstall.exe"

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "$(APP_NAME)"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

; The same Run value the helper's own Settings switch writes (gui/autostart.py), so both agree.
Section "$(SEC_AUTOSTART)" SecAutostart
  WriteRegStr HKCU "${RUN_KEY}" "${APP_ID}" '"$INSTDIR\${APP_EXE}" --minimized'
SectionEnd

Section /o "$(SEC_ROOTCA)" SecRootCA
  nsExec::ExecToLog '"$INSTDIR\${CLI_EXE}" diagnose --fix root-ca --yes'
  Pop $0
  ${If} $0 != 0
    DetailPrint "$(ROOTCA_FAILED)"
  ${EndIf}
SectionEnd

; A verb for .pdf files without taking over the user's PDF viewer.
Section "$(SEC_PDFMENU)" SecPdfMenu
  WriteRegStr HKLM "${PDF_VERB_KEY}" "" "$(CTX_SIGN)"
  WriteRegStr HKLM "${PDF_VERB_KEY}" "Icon" "$INSTDIR\${APP_EXE}"
  WriteRegStr HKLM "${PDF_VERB_KEY}\command" "" '"$INSTDIR\${APP_EXE}" --sign "%1"'
SectionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecCore} "$(SEC_CORE_DESC)"
  !insertmacro MUI_DESCRIPTION_TEXT ${SecAutostart} "$(SEC_AUTOSTART_DESC)"
  !insertmacro MUI_DESCRIPTION_TEXT ${SecRootCA} "$(SEC_ROOTCA_DESC)"
  !insertmacro MUI_DESCRIPTION_TEXT ${SecPdfMenu} "$(SEC_PDFMENU_DESC)"
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Section "un.$(UNSEC_CORE)" UnSecCore
  SectionIn RO
  !insertmacro CloseRunning
  SetShellVarContext all
  Delete "$DESKTOP\$(APP_NAME).lnk"
  RMDir /r "$SMPROGRAMS\$(APP_NAME)"
  DeleteRegValue HKCU "${RUN_KEY}" "${APP_ID}"
  DeleteRegKey HKLM "${PDF_VERB_KEY}"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
SectionEnd

; platformdirs on Windows keeps settings, data and logs under %LOCALAPPDATA%\cahelper.
Section /o "un.$(UNSEC_DATA)" UnSecData
  SetShellVarContext current
  RMDir /r "$LOCALAPPDATA\${APP_ID}"
SectionEnd

!insertmacro MUI_UNFUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${UnSecData} "$(UNSEC_DATA_DESC)"
!insertmacro MUI_UNFUNCTION_DESCRIPTION_END
