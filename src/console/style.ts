import { createHash } from 'node:crypto';

/** The console's one stylesheet, inline and allowed by its hash (CSP Level 3), as the hosted pages do. */
export const STYLE_TEXT = `
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;background:#f6f7f9;color:#1d2330;margin:0;line-height:1.45}
header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;flex-wrap:wrap;gap:16px;align-items:center}
header a{color:#fff} header .title{font-weight:700;margin-right:12px} header nav{display:flex;flex-wrap:wrap;gap:14px;flex:1}
header form{margin:0} main{max-width:1100px;margin:20px auto;padding:0 20px}
h1{font-size:1.4rem;margin:10px 0 16px} h2{font-size:1.1rem;margin:24px 0 8px}
a{color:#1f4fd1} table{border-collapse:collapse;width:100%;background:#fff;margin:8px 0}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e1e4ea;vertical-align:top;font-size:.92rem} th{background:#eef0f4}
.cards{display:flex;flex-wrap:wrap;gap:12px} .card{background:#fff;border:1px solid #e1e4ea;border-radius:8px;padding:12px 16px;min-width:180px}
.status{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.8rem;font-weight:600;background:#e6e8ee;color:#1d2330}
.status-ACTIVE{background:#dff3e4;color:#14532d} .status-FAILED,.status-EXPIRED{background:#fde4e4;color:#7f1d1d} .status-INITIATED{background:#fff2cc;color:#5c4400}
form.inline{display:inline} label{display:block;margin:10px 0 4px;font-weight:600}
input,select{padding:7px;border:1px solid #8a93a3;border-radius:6px;font-size:.95rem;max-width:100%}
button{padding:7px 14px;border:0;border-radius:6px;background:#1f4fd1;color:#fff;font-size:.95rem;cursor:pointer}
button.danger{background:#a61b1b} .filters{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end}
.filters label{margin:0 0 4px} .hint{color:#4b5463;font-size:.85rem} .error{background:#fdecec;color:#7f1d1d;padding:10px;border-radius:6px}
.notice{background:#e8f0fe;padding:10px;border-radius:6px;word-break:break-all}
pre{background:#fff;border:1px solid #e1e4ea;padding:10px;border-radius:6px;overflow:auto;font-size:.85rem}
.pager{display:flex;gap:16px;margin:10px 0} .login{max-width:420px;margin:10vh auto;background:#fff;padding:28px;border-radius:12px}
.login input{width:100%;box-sizing:border-box} .login button{margin-top:16px;width:100%}
`;

export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE_TEXT).digest('base64')}'`;
