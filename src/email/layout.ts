/**
 * The HTML shell every mail shares, written for mail clients rather than browsers: table
 * layout 600 px wide, CSS inlined on each element (Gmail and Outlook drop or mangle <style>),
 * a <style> block only for progressive extras (dark mode, narrow screens), Outlook (MSO)
 * conditionals for the fixed width, and colours that survive forced dark-mode inversion.
 */
import { markup, SafeHtml } from '../render/html';
import type { TextDirection } from '../types';

/** The palette, light first; the dark values are applied by class in clients that honour prefers-color-scheme. */
export const COLORS = {
  page: '#eef0f3',
  card: '#ffffff',
  text: '#1d2329',
  muted: '#5b6670',
  link: '#0b57d0',
  rule: '#dde1e6',
  accent: '#0b57d0',
  darkPage: '#121417',
  darkCard: '#1c2026',
  darkText: '#e6e9ed',
  darkMuted: '#a4adb7',
  darkLink: '#8ab4f8',
  darkRule: '#2f353d',
} as const;

/** Our own CSS (trusted, with quotes that must stay quotes), so it goes into `markup` as is. */
export const FONT = new SafeHtml(
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans Arabic', 'Helvetica Neue', Arial, sans-serif",
);

const STYLE = `
:root { color-scheme: light dark; supported-color-schemes: light dark; }
body, table, td, a { -webkit-text-size-adjust: 100%; -ms-text-size-adjust: 100%; }
table, td { mso-table-lspace: 0pt; mso-table-rspace: 0pt; }
body { margin: 0 !important; padding: 0 !important; width: 100% !important; }
a { text-decoration: none; }
@media screen and (max-width: 620px) {
  .container { width: 100% !important; }
  .px { padding-left: 18px !important; padding-right: 18px !important; }
  .title { font-size: 24px !important; }
}
@media (prefers-color-scheme: dark) {
  .bg-page { background-color: ${COLORS.darkPage} !important; }
  .bg-card { background-color: ${COLORS.darkCard} !important; }
  .fg { color: ${COLORS.darkText} !important; }
  .fg-muted { color: ${COLORS.darkMuted} !important; }
  .fg-link { color: ${COLORS.darkLink} !important; }
  .rule { border-color: ${COLORS.darkRule} !important; }
}
[data-ogsc] .fg { color: ${COLORS.darkText} !important; }
[data-ogsc] .fg-muted { color: ${COLORS.darkMuted} !important; }
[data-ogsc] .fg-link { color: ${COLORS.darkLink} !important; }
[data-ogsb] .bg-page { background-color: ${COLORS.darkPage} !important; }
[data-ogsb] .bg-card { background-color: ${COLORS.darkCard} !important; }
`.trim();

export interface LayoutOptions {
  /** The chrome's language and direction (config digest.lang); stories set their own inside. */
  lang: string;
  dir: TextDirection;
  /** The <title> (some clients show it in previews of the web view). */
  title: string;
  /** Hidden text shown by inbox previews after the subject. */
  preheader: string;
  /** Rows (`<tr>…</tr>`) of the 600 px card column. */
  rows: SafeHtml[];
  footer: SafeHtml;
}

export function renderMailLayout(options: LayoutOptions): string {
  const { lang, dir } = options;
  // Filler after the preheader stops clients from pulling body text into the preview line.
  const filler = new SafeHtml('&#8199;&#65279;&#847; '.repeat(40));
  const style = new SafeHtml(STYLE);
  return markup`<!doctype html>
<html lang="${lang}" dir="${dir}" xmlns="http://www.w3.org/1999/xhtml" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="x-apple-disable-message-reformatting">
<meta name="format-detection" content="telephone=no, date=no, address=no, email=no">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${options.title}</title>
<!--[if mso]><noscript><xml><o:OfficeDocumentSettings><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml></noscript>
<style>body, table, td, p, a, h1, h2 { font-family: 'Segoe UI', Arial, sans-serif !important; }</style><![endif]-->
<style>
${style}
</style>
</head>
<body class="bg-page" style="margin:0;padding:0;width:100%;background-color:${COLORS.page};">
<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all;">${options.preheader}${filler}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" class="bg-page" style="width:100%;border-collapse:collapse;background-color:${COLORS.page};">
<tr>
<td align="center" style="padding:24px 8px;">
<!--[if mso]><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" align="center"><tr><td><![endif]-->
<table role="presentation" class="container" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px;max-width:600px;border-collapse:collapse;">
${options.rows.map((row, i) => markup`${i ? '\n' : ''}${row}`)}
<tr>
<td class="px fg-muted" dir="${dir}" style="padding:20px 32px 8px;font-family:${FONT};font-size:13px;line-height:20px;color:${COLORS.muted};text-align:center;">
${options.footer}
</td>
</tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td>
</tr>
</table>
</body>
</html>
`.value;
}

/** A bulletproof button (a padded table cell with a link inside; VML is not needed for a flat colour). */
export function renderButton(href: string, label: string): SafeHtml {
  return markup`<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:separate;">
<tr><td align="center" bgcolor="${COLORS.accent}" style="border-radius:6px;background-color:${COLORS.accent};">
<a href="${href}" style="display:inline-block;padding:12px 24px;font-family:${FONT};font-size:16px;line-height:20px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px;">${label}</a>
</td></tr>
</table>`;
}
