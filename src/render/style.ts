/**
 * The site's one stylesheet, served as a file (no inline styles, so `default-src 'self'` holds).
 * System fonts only: every stack ends in families that ship with Windows, macOS, Android and
 * common Linux desktops and cover Arabic and Hebrew. Colours meet WCAG AA (4.5:1) in both schemes.
 */
export const SITE_CSS = `
:root{
  color-scheme:light dark;
  --bg:#ffffff;--fg:#1b1c1e;--mu:#555a60;--ln:#0b57d0;--vi:#6a3d9a;--bd:#d9dbde;--ac:#f2f4f7;--bt:#ffffff;
  --sans:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,"Noto Sans Arabic","Geeza Pro","Noto Sans Hebrew","Arial Hebrew",Tahoma,sans-serif;
}
@media (prefers-color-scheme:dark){
  :root{--bg:#15171a;--fg:#e7e8ea;--mu:#a9aeb5;--ln:#8ab4f8;--vi:#cfa6ff;--bd:#363a40;--ac:#1f2226;--bt:#15171a}
}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:1.0625rem/1.6 var(--sans);overflow-wrap:anywhere}
:lang(ar),:lang(fa),:lang(ur),:lang(ps){font-family:"Segoe UI","Noto Naskh Arabic","Noto Sans Arabic","Geeza Pro",Tahoma,var(--sans);line-height:1.8}
:lang(he),:lang(yi){font-family:"Segoe UI","Noto Sans Hebrew","Arial Hebrew",Arial,var(--sans)}
a{color:var(--ln)}
a:visited{color:var(--vi)}
:focus-visible{outline:3px solid var(--ln);outline-offset:2px}
.w{max-width:46rem;margin:0 auto;padding:0 1rem}
.skip{position:absolute;inset-inline-start:-100vw;top:.5rem;background:var(--bg);padding:.5rem 1rem;z-index:2}
.skip:focus{inset-inline-start:.5rem}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.top{border-bottom:1px solid var(--bd);background:var(--ac)}
.top .w{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.25rem;padding-block:.6rem}
.brand{font-weight:700;color:var(--fg);text-decoration:none;margin-inline-end:auto}
.brand:visited{color:var(--fg)}
.top nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;font-size:.95rem}
form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:0}
input,button{font:inherit;font-size:1rem;min-height:2.5rem;border-radius:6px}
input{flex:1 1 10rem;min-width:0;padding:.35rem .6rem;border:1px solid var(--mu);background:var(--bg);color:var(--fg)}
button{padding:.35rem 1rem;border:1px solid var(--ln);background:var(--ln);color:var(--bt);cursor:pointer}
.top form{flex:1 1 14rem;max-width:22rem}
h1{font-size:1.75rem;line-height:1.25;margin:1.5rem 0 .25rem}
h1 time{display:block;font-size:1.05rem;font-weight:400;color:var(--mu);margin-top:.25rem}
h2{font-size:1.3rem;margin:2.25rem 0 .5rem;padding-bottom:.25rem;border-bottom:2px solid var(--fg)}
h3{font-size:1.2rem;line-height:1.35;margin:0 0 .3rem}
h3 a{color:var(--fg);text-decoration:none}
h3 a:hover{text-decoration:underline}
h3 a:visited{color:var(--mu)}
.lede{color:var(--mu);margin:0 0 1rem}
.notice{margin:1rem 0;padding:.75rem 1rem;border:2px solid var(--fg);border-radius:8px;background:var(--ac);font-weight:600}
.toc{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:.5rem 0 0;font-size:.95rem}
article{padding:1rem 0;border-bottom:1px solid var(--bd)}
article:last-child{border-bottom:0}
article p{margin:.35rem 0 0}
.m{color:var(--mu);font-size:.875rem;margin:0}
.f{border:1px solid var(--mu);border-radius:4px;padding:0 .35em;white-space:nowrap}
.sub{margin:2.5rem 0 1rem;padding:1rem;border:1px solid var(--bd);border-radius:8px;background:var(--ac)}
.sub h2{margin-top:0;border:0;font-size:1.15rem}
.choices{flex-basis:100%;margin:0}.choices fieldset{border:1px solid var(--bd);border-radius:6px;margin:.5rem 0}.choices input[type=checkbox],.choices input[type=radio]{min-height:0;flex:none}.choices select{font:inherit;padding:.3rem}
form label:not(.vh){flex-basis:100%}
footer{margin:2rem auto 3rem;color:var(--mu);font-size:.9rem}
footer nav{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;margin-bottom:1rem}
details{margin:1rem 0}
details.src{margin:.2rem 0 0;color:var(--mu);font-size:.875rem}
details.src ul{margin:.25rem 0 0;padding-inline-start:1.25rem}
.up{color:var(--ln)}
img.lead{display:block;width:100%;height:auto;margin:.5rem 0 0;border-radius:6px;background:var(--ac)}
img.lead.box{aspect-ratio:16/9;object-fit:cover}
summary{cursor:pointer}
.days{list-style:none;padding:0;margin:0}
.days li{padding:.5rem 0;border-bottom:1px solid var(--bd)}
.res{padding:0;list-style:none}
.res li{padding:.75rem 0;border-bottom:1px solid var(--bd)}
.res h3{font-size:1.1rem}
.res p{margin:.35rem 0 0}
[hidden]{display:none!important}
@media (max-width:30rem){body{font-size:1rem}h1{font-size:1.45rem}.top form{max-width:none}}
@media print{
  :root{--bg:#fff;--fg:#000;--mu:#333;--ln:#000;--vi:#000;--bd:#999}
  body{font-size:11pt}
  .top nav,.top form,.sub,.toc,.skip,footer nav,details{display:none}
  .top{background:none}
  article{break-inside:avoid}
  h2{break-after:avoid}
  h3 a::after{content:" <" attr(href) ">";font-size:.75em;font-weight:400;overflow-wrap:anywhere}
}
`;

/** Comments and layout whitespace out; spaces inside values and quoted strings are kept. */
export function minifyCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};])\s*/g, '$1')
    .replace(/;}/g, '}')
    .trim();
}

/** A small icon so browsers find one (a missing favicon is a console error under test). */
export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b57d0"/><path d="M8 23a2 2 0 1 0 0 .1zM7 14a11 11 0 0 1 11 11h-3a8 8 0 0 0-8-8zm0-6a17 17 0 0 1 17 17h-3A14 14 0 0 0 7 11z" fill="#fff"/></svg>
`;
