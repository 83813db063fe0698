import HeguiCore
import Testing

/// The complaint channel's pure parts (issue 7): the ticket workflow (IM-15), form decoding and the
/// CSRF tokens of the public pages.
@Suite struct ComplaintRulesTests {
    typealias Status = ComplaintWorkflow.Status

    @Test(arguments: [
        (ComplaintWorkflow.Action.accept, Status.received, Status?.some(.accepted)),
        (.accept, .accepted, nil),
        (.requestInfo, .accepted, .infoRequested),
        (.respond, .infoRequested, .accepted),
        (.respond, .accepted, nil),
        (.reply, .accepted, .accepted),
        (.note, .closed, .closed),
        (.resolve, .received, .resolved),
        (.reject, .infoRequested, .rejected),
        (.resolve, .resolved, nil),
        (.close, .accepted, nil),
        (.close, .rejected, .closed),
        (.reply, .closed, nil),
        (.requestInfo, .resolved, nil),
    ])
    func workflow(action: ComplaintWorkflow.Action, from status: Status, to next: Status?) {
        switch ComplaintWorkflow.next(after: action, from: status) {
        case .success(let result): #expect(result == next)
        case .failure(let error):
            #expect(next == nil)
            #expect(!error.message.isEmpty)
        }
    }

    @Test func overdueIsUndecidedPastTheDueTime() {
        #expect(ComplaintWorkflow.isOverdue(status: .accepted, dueAt: 100, at: 101))
        #expect(!ComplaintWorkflow.isOverdue(status: .accepted, dueAt: 100, at: 100))
        #expect(!ComplaintWorkflow.isOverdue(status: .resolved, dueAt: 100, at: 500))
        #expect(ComplaintWorkflow.isOverdue(status: .infoRequested, dueAt: 100, at: 500))
    }

    @Test(arguments: [
        ("a=1&b=two+words", ["a": "1", "b": "two words"]),
        ("text=%E6%8A%95%E8%AF%89&x=", ["text": "投诉", "x": ""]),
        ("a=1&a=2", ["a": "1"]),
        ("lone", ["lone": ""]),
        ("", [:]),
        ("s=%3Cscript%3E", ["s": "<script>"]),
    ])
    func formData(body: String, fields: [String: String]) {
        #expect(FormData.parse(Array(body.utf8)) == fields)
    }

    @Test(arguments: ["a=%E6%8A", "a=%zz", "a=%", "a=%FF"])
    func badFormData(body: String) {
        #expect(FormData.parse(Array(body.utf8)) == nil)
    }

    @Test func csrfTokensAreBoundToTheCookieKeyAndTime() {
        let csrf = CSRFToken(key: Array("deployment-key".utf8))
        let nonce = CSRFToken.makeNonce()
        let token = csrf.token(nonce: nonce, at: 1_000_000)
        #expect(csrf.isValid(token, cookieNonce: nonce, at: 1_000_500))
        #expect(!csrf.isValid(token, cookieNonce: nil, at: 1_000_500))
        #expect(!csrf.isValid(token, cookieNonce: CSRFToken.makeNonce(), at: 1_000_500))
        #expect(!csrf.isValid(token, cookieNonce: nonce, at: 1_000_000 + 3 * 3_600_000))
        #expect(!CSRFToken(key: Array("other-key".utf8)).isValid(token, cookieNonce: nonce, at: 1_000_500))
        let forged = String(token.dropLast()) + (token.last == "0" ? "1" : "0")
        #expect(!csrf.isValid(forged, cookieNonce: nonce, at: 1_000_500))
        #expect(!csrf.isValid("2000000.\(nonce).\(token.split(separator: ".")[2])", cookieNonce: nonce, at: 2_000_000))
        #expect(!csrf.isValid("garbage", cookieNonce: nonce, at: 1_000_500))
    }

    @Test(
        arguments: [
            ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0], "image/png"),
            ([0xFF, 0xD8, 0xFF, 0xE0], "image/jpeg"),
            (Array("GIF89a...".utf8), "image/gif"),
            (Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8".utf8), "image/webp"),
            (Array("%PDF-1.7".utf8), "application/pdf"),
            (Array("对话记录\n第二行".utf8), "text/plain; charset=utf-8"),
            ([0x4D, 0x5A, 0x90, 0x00], nil),  // a Windows executable
            (Array("<html>\u{1}".utf8), nil),
            ([0xC3, 0x28], nil),  // not UTF-8
        ] as [([UInt8], String?)]
    )
    func attachmentTypesAreSniffed(bytes: [UInt8], type: String?) {
        #expect(AttachmentPolicy.mediaType(of: bytes) == type)
    }

    @Test(arguments: [
        ("截图.png", "截图.png"), ("../../etc/passwd", "passwd"), ("C:\\Users\\a\\x.pdf", "x.pdf"),
        ("a\"b\u{0}.txt", "ab.txt"), ("", "attachment"),
    ])
    func attachmentNamesAreMadeSafe(name: String, safe: String) {
        #expect(AttachmentPolicy.safeFilename(name) == safe)
    }
}
