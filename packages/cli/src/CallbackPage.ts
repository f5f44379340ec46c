/** The small page the browser shows after the loopback callback: what happened, and that the tab can close. */
const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export const callbackPage = (ok: boolean, title: string, text: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem;color:${ok ? "#1a7f37" : "#b42318"}}</style></head>
<body><h1 id="result" data-ok="${ok}">${escape(title)}</h1><p id="message">${escape(text)}</p>
<p>You can close this tab and go back to the terminal.</p></body></html>
`
