/// The commented `hegui.yaml` that `hegui init` writes. Every value is the default, so the file
/// loads to the same configuration as no file at all; edit what you need.
package enum StarterConfiguration {
    package static let text = """
        # Hegui 合规网关 configuration / 配置文件
        # Every value below is the default. Environment variables override this file, and command-line
        # flags override both (see README "Configuration"). Secrets never go in this file: give them in
        # the environment (HEGUI_UPSTREAM_API_KEY) or in files named here (*_file).

        server:
          host: 127.0.0.1            # HEGUI_HOST; 0.0.0.0 listens on all interfaces
          port: 8080                 # HEGUI_PORT
          max_body_bytes: 1048576    # HEGUI_MAX_BODY_BYTES; larger request bodies get 413
          shutdown_grace_seconds: 30 # in-flight requests and streams may finish within this on SIGTERM

        data_dir: ./hegui-data       # HEGUI_DATA_DIR; the gateway's state (created 0700)
        log_level: info              # HEGUI_LOG_LEVEL: trace, debug, info, notice, warning, error, critical
        log_format: text             # HEGUI_LOG_FORMAT: text (key=value) or json (one object per line)

        # Every model request must name its end user, in the "user" field or the X-Hegui-User header
        # (needed for sanctions, minors' mode and personal-information requests: IM-9, IM-10, IM-14).
        require_user: true           # HEGUI_REQUIRE_USER

        # The OpenAI-compatible model behind the gateway. Leave it out to run the built-in demo model.
        # upstream:
        #   url: http://127.0.0.1:8000/v1          # HEGUI_UPSTREAM_URL (vLLM, Ollama, DeepSeek, DashScope …)
        #   api_key_file: /run/secrets/upstream    # or HEGUI_UPSTREAM_API_KEY / HEGUI_UPSTREAM_API_KEY_FILE
        #   connect_timeout_ms: 5000
        #   response_timeout_ms: 120000            # until the response head arrives
        #   read_timeout_ms: 120000                # longest silence inside a response or stream
        #   max_response_bytes: 33554432
        #   max_connections: 64

        # Model names offered to apps. When any are listed, only they are accepted, and each is sent
        # upstream under its upstream_model name. Without the list, model names pass through.
        # models:
        #   - id: chat
        #     upstream_model: qwen2.5-7b-instruct

        # Apps allowed to call the gateway. Keys are stored as SHA-256 digests
        # (printf %s "$KEY" | sha256sum) or read from a file. Without tenants, a development tenant is
        # created on first start and its key written to <data_dir>/dev-tenant-key.
        # tenants:
        #   - id: app-one
        #     name: 示例应用 Example app
        #     key_sha256: 0000000000000000000000000000000000000000000000000000000000000000
        #   - id: app-two
        #     key_file: /run/secrets/app-two-key
        #     policy: minors                       # the moderation policy of its traffic
        #     requests_per_minute: 600             # over all its users, across replicas
        #     tokens_per_day: 5000000              # Beijing calendar day
        # More tenants and keys are made at run time: POST /admin/tenants, or `hegui tenant create`.

        # Duties toward end users (IM-9, IM-10, IM-11, IM-14). Numbers marked * are UNCONFIRMED
        # defaults (REQUIREMENTS.md); set them to the text your counsel confirms.
        users:
          require_agreement: false   # HEGUI_REQUIRE_AGREEMENT; refuse users who have not accepted
                                     # the current major version of the agreement (403 agreement_required)
          agreement_url: /agreement  # where apps send users to read it
          requests_per_minute: null  # per user; null for no limit
          tokens_per_day: null       # per user
          training_consent_default: false  # consent to training use when the user has not said (TC-7.3)
          state_cache_ms: 1000       # how long a replica trusts what it read of a user
          usage_flush_ms: 250        # how often a replica writes the requests and tokens it counted
          rights_request_working_days: 15  # * deadline for personal-information requests (OPS-8.3)
          appeal_working_days: 15    # deadline to answer an appeal against a sanction (IM-15)
          # calendar_file: calendar.txt  # years the built-in holiday data (2023-2026) lacks, in the
                                     # format of `hegui calendar show 2026`; past the covered years
                                     # a deadline is an error in the log, not a silent guess
          holidays: []               # single extra days off, YYYY-MM-DD
          working_weekends: []       # single extra make-up working days (调休), YYYY-MM-DD

        # Minors' mode (IM-10.3, OPS-6), for users the app marks as minors or gives a birth year or
        # age band. Times are Beijing time.
        minors:
          enabled: true
          daily_minutes: {under8: 40, 8to16: 60, 16to18: 120}  # * under8; 8to16 and 16to18 per the CAC guide
          curfew: "22:00-06:00"      # * or off
          unknown_age_band: 8to16    # a minor of unknown age
          policy_group: minors       # the moderation policy group minors get (built-in: refuse every hit)
          reminder_minutes: 30       # a break reminder (X-Hegui-Reminder) each time use passes this
          idle_gap_seconds: 300      # a longer pause ends a session of use
          session_start_seconds: 60  # use counted for a session's first request

        # The complaint and report channel (IM-15): /complaints for the public, /v1/complaints for
        # apps, /admin/complaints for the compliance officer.
        complaints:
          feedback_working_days: 15  # the published time limit for a reply (the provider chooses it)
          submissions_per_hour: 10   # per client address, on the public form
          trust_forwarded_for: false # true only behind a reverse proxy that sets X-Forwarded-For
          # webhook_url: https://ops.example.cn/hegui   # or HEGUI_WEBHOOK_URL: new, overdue tickets, incidents
          # webhook_secret_file: /run/secrets/hegui-webhook  # or HEGUI_WEBHOOK_SECRET (≥ 16 characters)

        # Labels on generated content (IM-12, LBL-4, LBL-5, GB 45438-2025). The producer code is the
        # 27-character provider code from your compliance team (or HEGUI_LABEL_PRODUCER); until it is
        # set, labels carry a placeholder and the gateway warns at start.
        labels:
          # producer: 001191110102MAD55U9H0F10002
          seal: ed25519              # ReservedCode1 signs each file's label (ed25519, hmac-sha256, none)
          # key_file: /run/secrets/label-key   # default: label-signing-key in data_dir, made on first use
          chat_placement: start      # start, end, both, conversation, or interface (your UI shows it)
          chat_text: "本内容由人工智能生成（AI-generated）"
          image_mark: true           # the visible "AI生成" on generated PNG and JPEG images (text ≥ 5% of the shortest side)
          image_mark_text: "AI生成"
          image_mark_position: bottom-right
          image_mark_style: light    # light: white on dark; dark: black on white
          audio_cue: start           # short-long-short-short on generated speech: start, end, both, none
          # audio_cue_voice: "本内容由人工智能生成"  # speak it instead (espeak-ng, ~140 characters a minute)
          file_lifetime_hours: 24    # how long labelled copies of URL results are served

        # The sanctions ladder (IM-14.4, TC-7.7): violations (refusals) per user turn into measures.
        sanctions:
          enabled: true
          warning_daily: 1           # a warning (X-Hegui-Warning) from the first violation of a day
          restriction_daily: 3       # a lower rate limit from the third
          restricted_requests_per_minute: 5
          suspension_consecutive: 3  # * suspended after 3 in a row …
          suspension_daily: 5        # * … or 5 in one day (TC-7.7's commonly cited rule)
          termination_suspensions: 3 # terminated after this many suspensions …
          termination_window_days: 90  # … within this many days
          warning_hours: 24
          restriction_hours: 24
          suspension_hours: 24

        # The moderation engine's keyword lexicons and policy. Without lexicons the built-in sample
        # lexicon is used (a demonstration list; `hegui lexicon sample` prints it); without a policy,
        # the built-in one. Lexicons: files, directories of .txt/.tsv files, or one compiled .hgkw
        # file (`hegui lexicon build`). Reloaded on SIGHUP. Or HEGUI_LEXICONS (colon-separated) and
        # HEGUI_POLICY.
        # moderation:
        #   lexicons: [lexicons/]
        #   policy: policy.yaml

        # The tamper-evident audit log: tree heads signed on an interval and at shutdown; evidence
        # (a violation's or complaint's content) kept beside its event for this many days. The store
        # is SQLite in data_dir unless HEGUI_STORE_URL (or store.url_file) names a PostgreSQL database.
        # audit:
        #   tree_head_interval_seconds: 300
        #   evidence_retention_days: 180
        #   await_commit: true       # an answer waits for its event's commit (a crash loses nothing
        #                            # an app received); false saves 1-3 ms a request on SQLite
        # store:
        #   url_file: /run/secrets/store-url

        # The answers that decide which duties apply; `hegui scope` prints the checklist.
        # scope:
        #   serves_public_in_mainland: true
        #   offered_through_api: true
        #   media: [text]              # text, image, audio, video, virtual
        #   public_opinion: false      # forums, groups, public accounts, live streaming… (SA-2)
        #   users_publish: false
        #   downloads: false
        #   minors_may_use: true
        #   provided_from_abroad: false  # served to the mainland from outside it (IM-20)

        # What the service is, as /about tells its users (with the filing numbers, the labels,
        # the agreement, the complaint channel and minors' mode, taken from the sections here).
        # service:
        #   name: 问答助手 Q&A assistant
        #   provider: 示例科技有限公司
        #   purpose: 回答学习与工作中的问题。
        #   purpose_en: Answers questions about study and work.

        # The algorithm filing (IM-17.2, OPS-4): due 10 working days after the service goes live,
        # 10 after each change to what was filed, 20 after the service ends, on the working-day
        # calendar. `hegui filing` and GET /admin/filing show where each stands; /metrics has
        # hegui_filing_open, hegui_filing_overdue and hegui_filing_working_days_left.
        # filing:
        #   numbers: []              # the filing numbers, shown to users (OPS-4.5)
        #   launched: 2026-11-20     # the day the service went live
        #   filed: null              # the day the filing was submitted
        #   changes:                 # each change to what was filed
        #     - {date: 2026-12-01, what: 新增图像生成, filed: null}
        #   ended: null              # the day the service ended
        #   cancelled: null          # the day the cancellation was filed
        #   # The dossier's texts (`hegui report dossier`); what is left out is marked to be written.
        #   algorithm_type: 生成合成类（文本生成）
        #   scenarios: [智能问答]
        #   principle: |
        #     基于 Transformer 的大语言模型……
        #   models:
        #     - {name: example-chat, version: "1.0", base_model: 示例基座, registration: ""}
        #   security_measures: 7×24 小时值守……

        # The provider's texts of the security-assessment report (`hegui report assessment`,
        # OPS-5, SA-5); the figures come from the audit log.
        # assessment:
        #   trigger: launch          # launch, major_change, user_growth, harmful_spread, authority_request
        #   security_officer: ""
        #   reviewers: ""
        #   organisation: ""
        #   identity_verification: ""
        #   log_retention: ""
        #   cooperation_cac: ""
        #   cooperation_police: ""
        #   conclusion: ""

        # Pacing of the built-in demo model's streamed replies.
        demo:
          chunk_chars: 4
          chunk_delay_ms: 15

        """
}
