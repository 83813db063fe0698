/// The public complaint pages' Mustache templates (IM-15). `{{…}}` escapes HTML; nothing here
/// uses the unescaped forms, so whatever a complainant or officer typed stays text. Pages work
/// without JavaScript and on a phone, with labelled fields in tab order.
enum ComplaintTemplates {
    static let head = """
        <!doctype html>
        <html lang="{{lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{t.title}}</title>
        <style>
        body{font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;max-width:42rem;margin:0 auto;padding:1rem;line-height:1.6;color:#1d1d1f}
        h1{font-size:1.35rem}h2{font-size:1.1rem;margin-top:1.5rem}label{display:block;font-weight:600;margin-top:1rem}
        input,select,textarea{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;margin-top:.25rem;border:1px solid #888;border-radius:4px}
        textarea{min-height:7rem}button{margin-top:1.25rem;font:inherit;padding:.6rem 1.4rem;border:0;border-radius:4px;background:#0a5;color:#fff}
        .error{color:#b00020;font-weight:600}.hint{color:#555;font-size:.9rem}.box{border:1px solid #ccc;border-radius:6px;padding:1rem;margin-top:1rem}
        .code{font-family:ui-monospace,monospace;font-size:1.2rem;letter-spacing:.05em;word-break:break-all}nav{text-align:right}
        ol.timeline{padding-left:1.2rem}ol.timeline li{margin-bottom:.6rem}
        </style>
        </head>
        <body>
        <nav><a href="{{otherLanguageURL}}" lang="{{otherLanguage}}">{{t.switch}}</a></nav>
        <h1>{{t.title}}</h1>
        """

    static let foot = """
        <p class="hint"><a href="/complaints?lang={{lang}}">{{t.new}}</a> · <a href="/complaints/status?lang={{lang}}">{{t.check}}</a> · <a href="/agreement">{{t.agreement}}</a></p>
        </body>
        </html>
        """

    static let form = """
        {{>head}}
        <p>{{t.intro}}</p>
        <div class="box">
        <h2>{{t.processTitle}}</h2>
        <ol>{{#t.process}}<li>{{.}}</li>{{/t.process}}</ol>
        <p><strong>{{t.limit}}</strong></p>
        </div>
        {{#formError}}<p class="error" role="alert">{{formError}}</p>{{/formError}}
        <form method="post" action="/complaints?lang={{lang}}" accept-charset="utf-8" enctype="multipart/form-data">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="lang" value="{{lang}}">
        <label for="category">{{t.category}}</label>
        <select id="category" name="category" required>
        {{#categories}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/categories}}
        </select>
        {{#errors.category}}<p class="error" id="category-error">{{errors.category}}</p>{{/errors.category}}
        <label for="description">{{t.description}}</label>
        <textarea id="description" name="description" required maxlength="5000" aria-describedby="description-hint">{{values.description}}</textarea>
        <p class="hint" id="description-hint">{{t.descriptionHint}}</p>
        {{#errors.description}}<p class="error">{{errors.description}}</p>{{/errors.description}}
        <label for="content">{{t.content}}</label>
        <textarea id="content" name="content" maxlength="20000" aria-describedby="content-hint">{{values.content}}</textarea>
        <p class="hint" id="content-hint">{{t.contentHint}}</p>
        {{#errors.content}}<p class="error">{{errors.content}}</p>{{/errors.content}}
        <label for="contact">{{t.contact}}</label>
        <input id="contact" name="contact" maxlength="200" value="{{values.contact}}" aria-describedby="contact-hint">
        <p class="hint" id="contact-hint">{{t.contactHint}}</p>
        {{#errors.contact}}<p class="error">{{errors.contact}}</p>{{/errors.contact}}
        <label for="attachments">{{t.attachments}}</label>
        <input id="attachments" name="attachments" type="file" multiple accept=".png,.jpg,.jpeg,.gif,.webp,.pdf,.txt,image/*,application/pdf,text/plain" aria-describedby="attachments-hint">
        <p class="hint" id="attachments-hint">{{t.attachmentsHint}}</p>
        {{#errors.attachments}}<p class="error">{{errors.attachments}}</p>{{/errors.attachments}}
        <button type="submit">{{t.submit}}</button>
        </form>
        {{>foot}}
        """

    static let filed = """
        {{>head}}
        <div class="box" role="status">
        <h2>{{t.filedTitle}}</h2>
        <p>{{t.ticket}}: <span class="code" id="ticket">{{ticket}}</span></p>
        <p>{{t.accessCode}}: <span class="code" id="access-code">{{accessCode}}</span></p>
        <p class="error">{{t.keepCode}}</p>
        <p>{{t.due}}: {{due}}</p>
        </div>
        {{>foot}}
        """

    static let statusForm = """
        {{>head}}
        <p>{{t.statusIntro}}</p>
        {{#formError}}<p class="error" role="alert">{{formError}}</p>{{/formError}}
        <form method="post" action="/complaints/status?lang={{lang}}" accept-charset="utf-8">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="ticket">{{t.ticket}}</label>
        <input id="ticket" name="ticket" required maxlength="40" value="{{values.ticket}}" autocomplete="off">
        <label for="code">{{t.accessCode}}</label>
        <input id="code" name="code" required maxlength="60" autocomplete="off">
        <button type="submit">{{t.check}}</button>
        </form>
        {{>foot}}
        """

    static let status = """
        {{>head}}
        <div class="box">
        <p>{{t.ticket}}: <span class="code" id="ticket">{{ticket}}</span></p>
        <p>{{t.status}}: <strong id="status">{{statusName}}</strong></p>
        <p>{{t.categoryLabel}}: {{categoryName}}</p>
        <p>{{t.received}}: {{received}} · {{t.due}}: {{due}}</p>
        {{#resolution}}<h2>{{t.feedback}}</h2><p id="feedback">{{resolution}}</p>{{/resolution}}
        </div>
        <h2>{{t.timeline}}</h2>
        <ol class="timeline">{{#events}}<li><strong>{{time}}</strong> {{label}}{{#text}}<br>{{text}}{{/text}}</li>{{/events}}</ol>
        {{#canRespond}}
        <form method="post" action="/complaints/respond?lang={{lang}}" accept-charset="utf-8">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="ticket" value="{{ticket}}">
        <label for="code">{{t.accessCode}}</label>
        <input id="code" name="code" required maxlength="60" autocomplete="off">
        <label for="text">{{t.respond}}</label>
        <textarea id="text" name="text" required maxlength="5000"></textarea>
        <button type="submit">{{t.send}}</button>
        </form>
        {{/canRespond}}
        {{>foot}}
        """
}
