"""The one HTML page of the demo CA renewal site: certificate, order form, demo payment, renewal."""

from __future__ import annotations

from html import escape

TITLE = "证书延期（演示CA）"

STYLE = """
body{margin:0;font-family:"Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;background:#f3f6f4;color:#222}
header{background:#1f6f4a;color:#fff;padding:14px 32px;font-size:22px}
header small{font-size:13px;margin-left:12px;opacity:.85}
main{max-width:860px;margin:28px auto;background:#fff;padding:28px 36px;border-radius:6px;box-shadow:0 1px 4px #0002}
h1{font-size:20px;margin-top:0;color:#1f6f4a}h2{font-size:16px;margin:26px 0 8px;color:#1f6f4a}
label{display:block;margin:12px 0 6px}select,input{font-size:15px;padding:6px;min-width:320px}
button{font-size:15px;padding:8px 26px;margin-top:14px;background:#1f6f4a;color:#fff;border:0;border-radius:4px;
 cursor:pointer}button:disabled{background:#9bbcab;cursor:default}
.box{border:1px solid #cfe0d6;border-radius:6px;padding:10px 16px;background:#f7fbf8;margin-top:8px}
.note{color:#666;font-size:13px;margin-top:18px}.error{color:#b00020;white-space:pre-line;margin-top:14px}
.ok{color:#1b7a2c;white-space:pre-line;margin-top:14px;font-weight:bold}
"""

SCRIPT = """<script src="/static/cahelper.js"></script><script>
const $ = (id) => document.getElementById(id);
let certs = [], order = null;
function say(text, cls){const b=$('result');b.className=cls||'';b.textContent=text;}
function fail(e){say((e.message||String(e))+(e.explanation?'\\n'+e.explanation:'')+
  (e.remedy&&e.remedy.length?'\\n'+e.remedy.map((r,i)=>(i+1)+'. '+r).join('\\n'):''),'error');}
async function post(path, body){const r=await fetch(path,{method:'POST',headers:{'Content-Type':'application/json'},
  body:JSON.stringify(body||{})});const d=await r.json();if(!r.ok){throw d;}return d;}
function current(){return certs.find(c=>c.id===$('cert').value);}
function showCurrent(){const c=current();if(!c){return;}
  $('current').textContent=c.unit+'（'+c.holder+'） 签发者：'+c.issuer+' 有效期至 '+c.notAfter.slice(0,10);}
async function load(){
  try{certs=await cahelper.getCertificates();const sel=$('cert');sel.innerHTML='';
    for(const c of certs){const o=document.createElement('option');o.value=c.id;
      o.textContent=c.unit+'（'+c.holder+'，有效期至 '+c.notAfter.slice(0,10)+'）';sel.appendChild(o);}
    if(!certs.length){say('没有找到数字证书，请插入U盾后刷新页面。','error');return;}
    showCurrent();$('order').disabled=false;}catch(e){fail(e);}
}
async function placeOrder(){
  try{order=await post('/orders',{certificate:current().certificate,years:Number($('years').value),
      contact:$('contact').value});
    $('order-box').textContent='订单号 '+order.id+'：'+order.unit+' 证书延期 '+order.years+' 年，应付 '+order.price+' 元';
    $('pay').disabled=false;$('order').disabled=true;say('');}catch(e){fail(e);}
}
async function pay(){
  try{await post('/orders/'+order.id+'/pay');$('pay').disabled=true;$('renew').disabled=false;
    say('支付成功（演示）。请点击“延期证书”，并在数字证书助手窗口中确认。','');}catch(e){fail(e);}
}
async function renew(){
  $('renew').disabled=true;say('请在数字证书助手窗口中核对内容并输入U盾口令…');
  try{const req=await cahelper.renewalCsr({certificateId:current().id});
    const issued=await post('/orders/'+order.id+'/issue',{csr:req.csr});
    say('证书已签发，正在写入U盾，请不要拔出U盾…');
    const done=await cahelper.renewalInstall({certificate:issued.certificate,chain:issued.chain,
      certificateId:req.certificateId});
    say(done.message+'\\n'+done.explanation+'\\n新证书有效期至 '+done.notAfter.slice(0,10),'ok');
  }catch(e){fail(e);$('renew').disabled=false;}
}
$('cert').addEventListener('change', showCurrent);$('order').addEventListener('click', placeOrder);
$('pay').addEventListener('click', pay);$('renew').addEventListener('click', renew);load();
</script>"""


def home(helper_url: str) -> str:
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{TITLE}</title>
<meta name="cahelper-url" content="{escape(helper_url)}"><style>{STYLE}</style></head>
<body><header>示例电子认证有限公司（演示）<small>数字证书在线延期 · 演示环境</small></header>
<main><h1>{TITLE}</h1>
<h2>1. 选择要延期的证书</h2>
<label for="cert">U盾中的证书</label><select id="cert"><option>正在读取U盾中的证书…</option></select>
<div class="box" id="current"></div>
<h2>2. 填写订单</h2>
<label for="years">延期年限</label><select id="years"><option value="1">1 年（200 元）</option>
<option value="2" selected>2 年（380 元）</option><option value="3">3 年（540 元）</option></select>
<label for="contact">经办人</label><input id="contact" value="张三">
<div><button id="order" disabled>提交订单</button></div>
<h2>3. 支付</h2><div class="box" id="order-box">尚未提交订单</div>
<div><button id="pay" disabled>模拟支付</button></div>
<h2>4. 延期证书</h2>
<div><button id="renew" disabled>延期证书</button></div><div id="result"></div>
<p class="note">点击“延期证书”后，数字证书助手会弹出窗口，请核对网站地址、单位名称并输入U盾口令。
口令只在助手窗口中输入，不会发送给网站。演示环境不会真正收费。</p></main>{SCRIPT}</body></html>"""
