/* ownmedia tracker (README: "The tracker") */
((w,d)=>{
let s=d.currentScript.dataset,l=location,n=navigator,B=d.body.dataset,P=B.ownmediaPost,
q=w.plausible?.q||[],M=0,Z=0,T=0,T0=0,D={},
A=d.querySelector("[data-ownmedia-readthrough]"),
on=(o,e,f)=>o.addEventListener(e,f),
api=s.api||"/api/event",
off=()=>{
try{if(localStorage.plausible_ignore=="true")return 1}catch(e){}
return/^(localhost|127\.|\[::1\]|$)/.test(l.hostname)&&s.includeLocalhost==null||n.webdriver&&s.includeAutomation==null},
S=(name,o={})=>{
let c=o.callback||(()=>0),e={n:name,u:o.u||l.href,d:s.domain,r:d.referrer||null},b
if(off())return c()
o.props&&(e.p=o.props)
o.revenue&&(e.$=o.revenue)
o.interactive===!1&&(e.i=!1)
Object.assign(e,o.x)
b=JSON.stringify(e)
w.fetch?fetch(api,{method:"POST",body:b,keepalive:!0}).then(c,c)
:(n.sendBeacon(api,b),c())},
tag=(e,i=0)=>e&&i<4&&(/plausible-event-name(=|--)/.test(e.className)?e:tag(e.parentNode,i+1)),
X=(e,a)=>{
let p={},x=e.dataset
for(let[,k,v]of e.className.matchAll(/plausible-event-([^\s=]+?)(?:=|--)(\S+)/g))p[k]=v.replace(/\+/g," ")
a&&(p.url=a.href)
S(p.name,{props:(delete p.name,p),revenue:x.revenueAmount&&{amount:x.revenueAmount,currency:x.revenueCurrency}})},
C=e=>{
let g=e.target,a=g.closest("a[href]"),t=tag(g),u=a?.href
if(e.type=="auxclick"&&e.button!=1)return
if(t)return t.tagName!="FORM"&&X(t,a)
a&&(/^http/.test(a.protocol)&&a.host!=l.host?S("Outbound Link: Click",{props:{url:u}})
:/\.(pdf|xlsx?|docx?|pptx?|od[tsp]|csv|txt|zip|epub|mp[34])$/i.test(a.pathname)&&
S("File Download",{props:{url:u.split("?")[0]}}))},
R=via=>S("Print",{props:{post:P,via}}),
H=rt=>{
let r=A?.getBoundingClientRect(),f=rt&&r?.height&&(innerHeight-r.top)/r.height*100
M=Math.max(M,Math.min(100,Math.round((scrollY+innerHeight)/d.body.scrollHeight*100)))
;[25,50,75,100].map(x=>f>=x&&!D[x]&&(D[x]=1,S("Read Through",{props:{post:P,depth:""+x},interactive:!1})))},
F=()=>{
T0&&(T+=Date.now()-T0)
T0=0
H(1)
;(M>Z||T>=3e3)&&(S("engagement",{x:{sd:M,e:T}}),Z=M,T=0)}
w.plausible=S
q.map(a=>S(...a))
S("pageview")
B.ownmediaPage=="404"&&S("404",{props:{path:l.pathname}})
B.ownmediaPage=="print"&&R("print-view")
d.visibilityState=="visible"&&(T0=Date.now())
H()
on(d,"click",C)
on(d,"auxclick",C)
on(d,"submit",e=>{let f=e.target
tag(f)==f?X(f):f.matches("form.comment-form")&&S("Form: Submission",{props:{form:"comment",post:P}})})
on(w,"beforeprint",()=>R("beforeprint"))
on(w,"scroll",H)
on(d,"visibilitychange",()=>d.visibilityState=="hidden"?F():T0=Date.now())
on(w,"pagehide",F)
})(window,document)
