// Loaded synchronously as the first child of <body> (the body exists by then)
// so GOV.UK Frontend's JS-only styles apply before first paint. A file rather
// than GOV.UK's inline snippet keeps a strict CSP (script-src 'self') possible.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '')
