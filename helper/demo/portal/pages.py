"""Server-rendered HTML of the demo portal (社会保险网上服务平台（演示）)."""

from __future__ import annotations

from html import escape

TITLE = "社会保险网上服务平台（演示）"

STYLE = """
body{margin:0;font-family:"Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;background:#f2f5f9;color:#222}
header{background:#0b5aa2;color:#fff;padding:14px 32px;font-size:22px}
header small{font-size:13px;margin-left:12px;opacity:.8}
main{max-width:860px;margin:28px auto;background:#fff;padding:28px 36px;border-radius:6px;box-shadow:0 1px 4px #0002}
h1{font-size:20px;margin-top:0;color:#0b5aa2}
.tiles a{display:inline-block;width:220px;margin:10px 16px 10px 0;padding:22px;border:1px solid #c9d6e6;
 border-radius:6px;text-align:center;text-decoration:none;color:#0b5aa2;font-size:18px;background:#f7fbff}
label{display:block;margin:14px 0 6px}
select,input{font-size:15px;padding:6px;min-width:320px}
button{font-size:15px;padding:8px 26px;margin-top:16px;background:#0b5aa2;color:#fff;border:0;border-radius:4px;
 cursor:pointer}
.note{color:#666;font-size:13px;margin-top:18px}
.error{color:#b00020;white-space:pre-line;margin-top:14px}
.ok{color:#1b7a2c;margin-top:14px}
table{border-collapse:collapse;margin-top:12px}td,th{border:1px solid #ccd;padding:6px 12px}
"""


def page(title: str, body: str, *, csrf: str = "", helper_url: str = "", scripts: str = "") -> str:
    meta = f'<meta name="csrf-token" content="{escape(csrf)}">' if csrf else ""
    if helper_url:
        meta += f'<meta name="cahelper-url" content="{escape(helper_url)}">'
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)} - {TITLE}</title>{meta}
<style>{STYLE}</style></head>
<body><header>{TITLE}<small>石家庄市人力资源和社会保障局 · 演示环境</small></header>
<main>{body}</main>{scripts}</body></html>"""


def home() -> str:
    return page("首页", """<h1>请选择登录方式</h1>
<div class="tiles"><a id="unit-login" href="/login/unit">单位用户登录</a>
<a href="#" onclick="alert('演示环境未开放个人用户登录');return false">个人用户登录</a></div>
<p class="note">单位用户请插入数字证书U盾并打开“数字证书助手”。</p>""")


LOGIN_SCRIPT = """<script src="/static/cahelper.js"></script><script>
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const box = document.getElementById('message');
function show(e){box.className='error';box.textContent=e.message+(e.explanation?'\\n'+e.explanation:'')+
  (e.remedy&&e.remedy.length?'\\n'+e.remedy.map((r,i)=>(i+1)+'. '+r).join('\\n'):'');}
async function post(path, body){const r=await fetch(path,{method:'POST',headers:{'Content-Type':'application/json',
  'X-CSRF-Token':csrf},body:JSON.stringify(body)});const d=await r.json();if(!r.ok){throw d;}return d;}
async function load(){
  try{const certs=await cahelper.getCertificates();const sel=document.getElementById('cert');sel.innerHTML='';
    for(const c of certs){const o=document.createElement('option');o.value=c.id;
      o.textContent=c.unit+'（'+c.holder+'，'+c.keyAlgorithm+'，有效期至 '+c.notAfter.slice(0,10)+'）';sel.appendChild(o);}
    if(!certs.length){show({message:'没有找到数字证书，请插入U盾后刷新页面。'});}
    document.getElementById('login').disabled=!certs.length;}catch(e){show(e);}
}
async function login(){
  box.className='';box.textContent='请在数字证书助手窗口中确认并输入口令…';
  try{const {nonce}=await post('/login/challenge',{});
    const token=await cahelper.authenticate(nonce, document.getElementById('cert').value);
    const r=await post('/login/token',{token:token});location.href=r.next;}catch(e){show(e);}
}
document.getElementById('login').addEventListener('click', login);load();
</script>"""


def unit_login(csrf: str, helper_url: str) -> str:
    return page("单位用户登录", """<h1>单位用户登录</h1>
<label for="cert">选择证书所对应的单位名称</label><select id="cert"><option>正在读取U盾中的证书…</option></select>
<div><button id="login" disabled>登录</button></div><div id="message"></div>
<p class="note">点击“登录”后，数字证书助手会弹出窗口，请核对网站地址并输入U盾口令（初始口令通常为123456）。
口令只在助手窗口中输入，不会发送给网站。</p>""", csrf=csrf, helper_url=helper_url, scripts=LOGIN_SCRIPT)


def bind(csrf: str, unit: str, holder: str, error: str = "") -> str:
    err = f'<div class="error" id="bind-error">{escape(error)}</div>' if error else ""
    return page("CA用户绑定", f"""<h1>CA用户绑定</h1>
<p>您是第一次使用数字证书登录。证书：<b id="bind-unit">{escape(unit)}</b>（{escape(holder)}）。
请输入系统原用户名和密码，把证书绑定到原账号，以后直接用U盾登录。</p>
<form method="post" action="/bind"><input type="hidden" name="csrf" value="{escape(csrf)}">
<label for="username">原用户名</label><input id="username" name="username" autocomplete="username">
<label for="password">原密码</label><input id="password" name="password" type="password" autocomplete="current-password">
<div><button id="bind-submit" type="submit">确定</button></div></form>{err}
<p class="note">演示账号：用户名 <code>sjz_demo</code>，密码 <code>Demo@2024</code>。</p>""")


def dashboard(csrf: str, unit: str, holder: str, user: str, uploads: list[dict]) -> str:
    rows = "".join(f"<tr><td>{escape(u['fileName'])}</td><td>{escape(u['signer'])}</td>"
                   f"<td>{'有效' if u['valid'] else '无效'}</td><td><a href=\"/materials/{escape(u['id'])}.pdf\">下载</a>"
                   f"</td></tr>" for u in uploads)
    table = f"<table><tr><th>文件</th><th>签章单位</th><th>签章</th><th></th></tr>{rows}</table>" if uploads else ""
    return page("网上办事大厅", f"""<h1>网上办事大厅</h1>
<p>欢迎，<b id="unit-name">{escape(unit)}</b>（经办人 {escape(holder)}，账号 {escape(user)}）</p>
<div class="tiles"><a id="materials" href="/materials">人员参保登记 · 上报材料</a></div>
<h1>已上报材料</h1>{table or '<p class="note">暂无</p>'}
<form method="post" action="/logout"><input type="hidden" name="csrf" value="{escape(csrf)}">
<button type="submit">退出登录</button></form>""", csrf=csrf)


MATERIALS_SCRIPT = """<script src="/static/cahelper.js"></script><script>
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const box = document.getElementById('message');
function show(e){box.className='error';box.textContent=e.message+(e.explanation?'\\n'+e.explanation:'');}
async function upload(){
  const button=document.getElementById('upload');button.disabled=true;
  box.className='';box.textContent='请在数字证书助手窗口中核对文件并输入口令，完成电子签章…';
  try{const pdf=await (await fetch('/materials/roster.pdf')).blob();
    const signed=await cahelper.signPdf(pdf,{fileName:'企业养老保险人员参保登记名册.pdf',
      placement:{mode:'anchor',anchor:'单位（盖章）',sizeMm:40},reason:'参保登记材料上报'});
    const r=await fetch('/materials/upload',{method:'POST',headers:{'Content-Type':'application/json','X-CSRF-Token':csrf},
      body:JSON.stringify({pdf:signed.base64,fileName:signed.fileName})});const d=await r.json();
    if(d.valid===undefined){throw d;}
    box.className=d.valid?'ok':'error';
    box.textContent=(d.valid?'上传成功，电子签章验证有效：':'上传的文件签章无效：')+d.signer+'（'+d.detail+'）';
    document.getElementById('download').href='/materials/'+d.id+'.pdf';document.getElementById('download').hidden=false;
  }catch(e){show(e);}finally{button.disabled=false;}
}
const uploadButton=document.getElementById('upload');
uploadButton.addEventListener('click', upload);uploadButton.disabled=false;
</script>"""


def materials(csrf: str, helper_url: str) -> str:
    return page("上报材料", """<h1>上报材料</h1>
<p>企业养老保险人员参保登记名册（本月新增 3 人）已生成：<a id="roster" href="/materials/roster.pdf">预览名册</a></p>
<p>点击“上传”，数字证书助手会请您确认并输入U盾口令，在“单位（盖章）”处加盖电子签章后上传。</p>
<button id="upload" disabled>上传</button> <a id="download" hidden>下载已签章文件</a><div id="message"></div>
<p class="note"><a href="/dashboard">返回办事大厅</a></p>""", csrf=csrf, helper_url=helper_url,
                scripts=MATERIALS_SCRIPT)
