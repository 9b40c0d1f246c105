// Marks the page as having JavaScript before it is drawn, as GOV.UK Frontend expects (its template does this
// with an inline script). A file rather than inline code, so the Content-Security-Policy can forbid inline
// scripts (docs/security.md, check S1). Loaded as a classic, blocking script at the top of <body>.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
