//! The console's stylesheet and script, served inline: the page needs nothing from the network.
//! The Content-Security-Policy allows exactly these two by their SHA-256, nothing else inline.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The `Content-Security-Policy` of every console response.
pub(crate) fn content_security_policy() -> &'static str {
    static POLICY: LazyLock<String> = LazyLock::new(|| {
        let hash = |text: &str| STANDARD.encode(Sha256::digest(text.as_bytes()));
        format!(
            "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; \
             connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; \
             base-uri 'none'",
            hash(JS),
            hash(CSS)
        )
    });
    &POLICY
}

pub(crate) const CSS: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1b1b;background:#f6f7f9}
nav{background:#0f3d6e;color:#fff;padding:10px 20px;display:flex;gap:18px;align-items:center}
nav a{color:#fff;text-decoration:none;font-weight:600}nav .brand{font-weight:700;margin-right:12px}
nav form{margin-left:auto}main{padding:16px 20px;max-width:1200px}
h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:18px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border-bottom:1px solid #e3e6ea;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600}code{font-size:12px;word-break:break-all}
form.inline{display:inline}button{cursor:pointer;border:1px solid #0f3d6e;background:#fff;color:#0f3d6e;border-radius:4px;padding:3px 10px}
button.primary{background:#0f3d6e;color:#fff}input,select,textarea{font:inherit;padding:4px 6px;border:1px solid #b8c0c8;border-radius:4px}
.card{background:#fff;border:1px solid #e3e6ea;border-radius:6px;padding:12px 14px;margin-bottom:14px}
.cols{display:grid;grid-template-columns:1fr 2fr;gap:14px}.muted{color:#66707a}.error{color:#a4262c;font-weight:600}
.msg{border-bottom:1px solid #eef1f4;padding:6px 0}.msg .who{font-weight:600}.msg.deleted{color:#999;text-decoration:line-through}
.badge{display:inline-block;background:#eef1f4;border-radius:8px;padding:0 6px;font-size:12px;margin-left:4px}
"#;

pub(crate) const JS: &str = r#"
(function(){
  document.querySelectorAll('[data-copy]').forEach(function(b){
    b.addEventListener('click',function(){
      var f=document.getElementById(b.dataset.copy);
      var done=function(){b.textContent='Copied';};
      if(navigator.clipboard){navigator.clipboard.writeText(f.value).then(done,function(){f.select();document.execCommand('copy');done();});}
      else{f.select();document.execCommand('copy');done();}
    });
  });
  var main=document.querySelector('main[data-live]');
  if(!main||!window.EventSource)return;
  var want=main.dataset.live, busy=false, again=false;
  function refresh(){
    if(busy){again=true;return;}
    busy=true;
    var url=location.pathname+(location.search?location.search+'&':'?')+'part=live';
    fetch(url,{credentials:'same-origin'}).then(function(r){return r.ok?r.text():null;}).then(function(html){
      if(html!==null){document.getElementById('live').innerHTML=html;}
    }).finally(function(){busy=false;if(again){again=false;refresh();}});
  }
  var source=new EventSource('/console/live?since='+main.dataset.since);
  source.addEventListener('chat',function(e){
    var ev=JSON.parse(e.data);
    if(want==='all'||(ev.data&&ev.data.threadId===want)){refresh();}
  });
})();
"#;
