/**
 * report.html's one stylesheet and one script. Both are inline and pinned by hash in the page's
 * Content-Security-Policy, so neither may use anything a hash does not cover: no style attributes, no
 * inline event handlers, no eval. The script only adds behaviour; without it the page reads the same.
 */
import { VERDICTS } from '../verdict/verdict.js';

/** A verdict toggled off in the filter dims its matrix cells where a row stays for another verdict. */
const DIM = VERDICTS.map((v) => `.off-${v} .cell.c-${v}>*`).join(',');

export const CSS = `
:root{--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;--inc:#8250df;--err:#6e0f14;--na:#6e7781;--no:#4a6fa5;--blk:#bc4c00;--line:#d0d7de}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;padding:0 1.5em 1em;max-width:1400px;color:#1f2328;background:#fff}
h1{font-size:1.5em;margin:.6em 0}h2{border-bottom:2px solid var(--line);padding-bottom:.2em;margin-top:1.6em}h3{font-size:1.05em;margin:.8em 0 .3em}h4{margin:1em 0 .3em}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
dd,li,p,summary,blockquote,h3,.sum,.ea td,.tree td,.matrix th.rq{overflow-wrap:anywhere}
a{color:#0969da}
.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.15em 1em;margin:0}.facts dt{font-weight:600}.facts dd{margin:0}
.v,.badge{display:inline-block;padding:0 .45em;border-radius:3px;color:#fff;font-weight:600;font-size:.85em;white-space:nowrap}
.badge.zero{opacity:.35}
.v-PASS{background:var(--pass)}.v-FAIL{background:var(--fail)}.v-WARN{background:var(--warn)}.v-INCONCLUSIVE{background:var(--inc)}
.v-ERROR{background:var(--err)}.v-NOT_APPLICABLE{background:var(--na)}.v-NOT_OBSERVABLE{background:var(--no)}.v-BLOCKED{background:var(--blk)}
.ptag{display:inline-block;padding:0 .35em;border-radius:3px;font-size:.78em;border:1px solid;white-space:nowrap}
.p-spec{color:#0a3069;border-color:#54aeff}.p-reconstructed{color:#953800;border-color:#fb8f44;border-style:dashed;background:#fff1e5}.p-profile{color:#0e6a6a;border-color:#3fb9b9;background:#e8fbfb}
.role{display:inline-block;margin-right:.5em;padding:0 .4em;border-radius:3px;border:1px solid var(--line)}.role-real{background:#ddf4ff;border-color:#54aeff;font-weight:600}
.mutant{color:var(--fail);font-weight:700}
.baselined{background:#eee3c4;color:#5a4500;border-radius:3px;padding:0 .35em;font-size:.85em;font-weight:600}
.exit{font-weight:700;padding:0 .4em;border-radius:3px;color:#fff}.exit-0{background:var(--pass)}.exit-1{background:var(--fail)}.exit-2{background:var(--err)}.exit-3{background:var(--inc)}
.counts{font-size:1.1em}.total{color:#656d76}
.legend{font-size:.88em;color:#424a53;margin:.3em 0}
.harness-errors{border:2px solid var(--err);padding:.4em .8em;border-radius:4px;background:#ffebe9}
.tools{position:sticky;top:0;z-index:3;background:#fff;border-bottom:1px solid var(--line);padding:.4em 0;display:flex;flex-wrap:wrap;gap:.3em 1em;align-items:center}
.tools nav{font-weight:600}
.tools .ctl{display:none;flex-wrap:wrap;gap:.3em;align-items:center}.js .tools .ctl{display:flex}
.tools button{font:inherit;font-size:.82em;cursor:pointer;border:1px solid var(--line);border-radius:3px;padding:.05em .5em}.tools button:not(.vt){background:#f6f8fa;color:#1f2328}
.tools button.vt{color:#fff;font-weight:600;border-color:transparent}.tools button.vt[aria-pressed=false]{background:#fff;color:#656d76;border-color:var(--line);text-decoration:line-through}
.tools input[type=search]{font:inherit;font-size:.9em;padding:.1em .4em;width:18em;max-width:100%;border:1px solid #8c959f;border-radius:3px}
.tools .shown{font-size:.82em;color:#656d76}.tools .vt.zero{opacity:.45}
.fh{display:none!important}
html{scroll-padding-top:4.5em}
@media (max-width:900px){.tools{position:static}html{scroll-padding-top:0}}
${DIM}{opacity:.2}
.hint,.muted{color:#656d76}.hint{font-size:.88em;margin:.2em 0}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse}th,td{border:1px solid var(--line);padding:.2em .45em;vertical-align:top;text-align:left}
.matrix th.flow{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:500;font-size:.85em;vertical-align:bottom;padding:.4em .2em;white-space:nowrap}
.matrix th.rq{font-weight:400;min-width:16em;max-width:34em;position:sticky;left:0;background:#fff;z-index:1}
.matrix th.rq .tags{white-space:nowrap}
.matrix tr.group th{background:#f6f8fa;font-weight:700;position:static}
.matrix td.cell{text-align:center;white-space:nowrap;padding:.2em .3em}.matrix td.cell a{text-decoration:none}.matrix td.cell .ptag,.matrix td.cell .baselined{margin-left:.15em}
.matrix.neg td .chip{display:inline-block;white-space:nowrap;margin:0 .6em .1em 0;font-size:.9em}
.nj{color:#8c959f}
.sev{font-size:.78em;color:#424a53}.sev-MUST{font-weight:700}
details.unshown{margin:.6em 0;font-size:.9em}
.failure{border:1px solid var(--line);border-left:6px solid var(--na);border-radius:4px;padding:.3em .9em .5em;margin:.8em 0}
.f-FAIL{border-left-color:var(--fail)}.f-ERROR{border-left-color:var(--err)}.f-INCONCLUSIVE{border-left-color:var(--inc)}.f-WARN{border-left-color:var(--warn)}.f-BLOCKED{border-left-color:var(--blk)}
.failure .in{font-weight:400;font-size:.9em;color:#424a53}
details.fi{border-top:1px solid var(--line);padding:.25em 0 .25em .3em}details.fi>summary{cursor:pointer}details.fi[open]>summary{margin-bottom:.2em}
details.fi:target,details.fi:focus-within{background:#f6f8fa}
.root{font-size:.85em;color:var(--fail);font-weight:600}
blockquote{margin:.4em 0;padding:.2em .8em;border-left:3px solid var(--line);color:#424a53;font-style:italic}
.meta{font-size:.88em;color:#424a53;margin:.2em 0}
.caveat{background:#fff8c5;border:1px solid #d4a72c;padding:.3em .6em;border-radius:3px;font-size:.9em}
.check{margin:.5em 0 .5em .4em}.ea{max-width:100%}.ea th{width:6em;background:#f6f8fa}.ea .exp td{background:#dafbe1}.ea .act td{background:#ffebe9}
.evidence ul{margin:.2em 0;padding-left:1.4em}.k{font-weight:600;margin-right:.4em}
.rerun code{background:#f6f8fa;padding:.1em .4em;border-radius:3px}
details.flow{border:1px solid var(--line);border-radius:4px;margin:.6em 0;padding:.3em .8em}
details.flow>summary{cursor:pointer;font-size:1.02em}.fid{font-weight:700;font-family:ui-monospace,Menlo,Consolas,monospace}
.status{padding:0 .4em;border-radius:3px;font-size:.85em;border:1px solid}.st-completed{color:var(--pass)}.st-failed{color:var(--fail)}.st-timeout{color:var(--inc)}
.flow-error{color:var(--fail)}.flow-stop{color:var(--blk)}
.msgs td.num{text-align:right;font-variant-numeric:tabular-nums}.nowrap,.msgs td:not(.sum){white-space:nowrap}
.msgs tr.bad td{background:#ffebe9}.msgs tr.ev td:first-child{border-left:4px solid var(--fail)}.msgs tr:target td{outline:2px solid #0969da}
.msgs .sum{min-width:16em}.reason{color:var(--fail)}
details.body pre{white-space:pre-wrap;overflow-wrap:anywhere;max-height:30em;overflow:auto;background:#f6f8fa;padding:.5em;margin:.3em 0}
details.body>summary{cursor:pointer}
.tree{table-layout:fixed;width:100%;max-width:72em;font-size:.92em}.tree col.c-path{width:34%}.tree col.c-acl{width:22%}.tree col.c-change{width:22%}
.tree .val,.tree .below{color:#656d76;font-size:.88em}.tree tr.sub td:first-child{padding-left:1.4em}
button.unfold{display:none;font:inherit;font-size:.85em;margin:.3em 0;cursor:pointer}.js button.unfold{display:inline-block}.js .tree.fold tr.sub{display:none}
.tree tr.changed td{background:#fff8c5}.tree tr.added td{background:#dafbe1}.tree tr.removed td{background:#ffebe9;text-decoration:line-through}.tree tr.own-changed td{background:#f6f8fa}
details.initial,details.same{margin:.6em 0}details.initial>summary,details.same>summary{cursor:pointer}
.seq .seqdiag{max-width:100%;height:auto}
.seqdiag{font:12px system-ui,sans-serif;display:block}
.seqdiag .sq-head{fill:#f6f8fa;stroke:#57606a}.seqdiag .sq-name{font-weight:700;fill:#1f2328}
.seqdiag .sq-life{stroke:#8c959f;stroke-dasharray:2 4}
.seqdiag .sq-line{stroke:#24292f;stroke-width:1.4;fill:none}.seqdiag .sq-head-arrow{fill:#24292f}
.seqdiag .sq-response .sq-line{stroke-dasharray:6 3}
.seqdiag .sq-tls .sq-line{stroke:#8c959f;stroke-dasharray:1 3}.seqdiag .sq-tls .sq-head-arrow{fill:#8c959f}.seqdiag .sq-tls .sq-label{fill:#656d76}
.seqdiag .sq-bad .sq-line,.seqdiag .sq-bad .sq-cross{stroke:var(--fail)}.seqdiag .sq-bad .sq-head-arrow{fill:var(--fail)}.seqdiag .sq-bad .sq-label{fill:var(--fail)}
.seqdiag .sq-cross{stroke-width:2}
.seqdiag .sq-ev .sq-line{stroke-width:3.2}
.seqdiag .sq-label{fill:#1f2328;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}.seqdiag .sq-seq,.seqdiag .sq-t{fill:#656d76;font-size:11px}.seqdiag .sq-note{fill:#8c959f;font-style:italic}
.seqdiag a:hover .sq-label{text-decoration:underline}
footer{margin-top:2em;color:#656d76;font-size:.85em}
.print-only{display:none}
@media print{
.screen-only{display:none!important}span.print-only{display:inline}p.print-only{display:block}
.msgs tbody tr:not(.ev),.tree tr.sub,.fi .check.ck-PASS{display:none}
body{max-width:none;padding:0;font-size:10.5px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.tools,.flow-buttons,button.unfold,details.initial,details.same,details.unshown{display:none!important}
.matrix th.rq{position:static}
.scroll{overflow:visible}
details.flow,details.fi{border:0;padding:0}
details.flow::details-content,details.fi::details-content{content-visibility:visible}
details.flow{break-before:page}
details.flow>summary,details.fi>summary{list-style:none}
h2,h3,h4{break-after:avoid}
.check,.matrix tr,.tree tr,.msgs tr{break-inside:avoid}
details.body pre{display:none}
.msgs .sum{min-width:0}.msgs .st{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden}details.body>summary{list-style:none}
a{color:inherit;text-decoration:none}
.failure{break-inside:auto}
}
`;

/**
 * Opens the collapsed parts holding a linked id, so evidence links always land on something visible; the
 * verdict toggles and the search hide what does not match; printing opens the flows and the failures.
 */
export const JS = `
(function(){
var d=document,root=d.documentElement;root.classList.add('js');
function all(s,el){return Array.prototype.slice.call((el||d).querySelectorAll(s))}
var tools=d.getElementById('dmdc-tools'),q=d.getElementById('dmdc-q'),shown=d.getElementById('dmdc-shown');
var toggles=all('button.vt',tools),on={};
toggles.forEach(function(b){on[b.getAttribute('data-v')]=true});
function terms(){return q.value.toLowerCase().split(/\\s+/).filter(Boolean)}
function matches(el,t){var s=el.getAttribute('data-q')||'';for(var i=0;i<t.length;i++)if(s.indexOf(t[i])<0)return false;return true}
function anyOn(el){var vs=(el.getAttribute('data-v')||'').split(' ');for(var i=0;i<vs.length;i++)if(on[vs[i]])return true;return false}
function show(el,yes){el.classList.toggle('fh',!yes);return yes}
function apply(){
var t=terms(),n={rows:0,rowsAll:0,cards:0,cardsAll:0,flows:0,flowsAll:0};
all('.fr').forEach(function(el){show(el,anyOn(el)&&matches(el,t))});
all('tr.fr').forEach(function(tr){n.rowsAll++;if(!tr.classList.contains('fh'))n.rows++});
all('tbody').forEach(function(tb){all('tr.group',tb).forEach(function(g){var k=g.getAttribute('data-g');show(g,all('tr.fr[data-g="'+k+'"]',tb).some(function(r){return!r.classList.contains('fh')}))})});
all('article.failure').forEach(function(a){n.cardsAll++;if(show(a,all('.fi',a).some(function(x){return!x.classList.contains('fh')})))n.cards++});
all('details.flow').forEach(function(f){n.flowsAll++;if(!f.classList.contains('fh'))n.flows++});
VERDICTS.forEach(function(v){d.body.classList.toggle('off-'+v,!on[v])});
toggles.forEach(function(b){b.setAttribute('aria-pressed',on[b.getAttribute('data-v')]?'true':'false')});
shown.textContent='showing '+n.rows+' of '+n.rowsAll+' requirement rows, '+n.cards+' of '+n.cardsAll+' failure cards, '+n.flows+' of '+n.flowsAll+' flows';
}
var VERDICTS=toggles.map(function(b){return b.getAttribute('data-v')});
toggles.forEach(function(b){b.addEventListener('click',function(){var v=b.getAttribute('data-v');on[v]=!on[v];apply()})});
function preset(vs){VERDICTS.forEach(function(v){on[v]=!vs||vs.indexOf(v)>=0});apply()}
d.getElementById('dmdc-all').addEventListener('click',function(){q.value='';preset(null)});
d.getElementById('dmdc-problems').addEventListener('click',function(){preset(['FAIL','ERROR','INCONCLUSIVE','WARN','BLOCKED'])});
q.addEventListener('input',apply);
function reveal(){var id;try{id=decodeURIComponent(location.hash.slice(1))}catch(e){return}var el=id&&d.getElementById(id);if(!el)return;
if(el.closest('.fh')){q.value='';preset(null)}
for(var p=el;p;p=p.parentElement){if(p.tagName==='DETAILS')p.open=true}el.scrollIntoView()}
addEventListener('hashchange',reveal);
var closed=[];
addEventListener('beforeprint',function(){closed=all('details.flow:not([open]),details.fi:not([open])');closed.forEach(function(x){x.open=true})});
addEventListener('afterprint',function(){closed.forEach(function(x){x.open=false});closed=[]});
all('button.unfold').forEach(function(b){b.addEventListener('click',function(){var t=b.previousElementSibling,folded=t.classList.toggle('fold');b.setAttribute('aria-expanded',folded?'false':'true');b.textContent=b.textContent.replace(folded?/^hide/:/^show/,folded?'show':'hide')})});
d.getElementById('dmdc-expand').addEventListener('click',function(){all('details.flow').forEach(function(x){x.open=true})});
d.getElementById('dmdc-collapse').addEventListener('click',function(){all('details.flow').forEach(function(x){x.open=false})});
apply();reveal();
})();
`;
