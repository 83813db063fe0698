/// The document itself: kept beside the routes it describes; `OpenAPIDocumentTests` holds the two
/// together.
extension OpenAPIDocument {
    static let yaml = #"""
        openapi: 3.1.0
        info:
          title: Hegui 合规 gateway
          version: 0.1.0
          summary: The compliance gateway's own HTTP API (model API, end users, complaints, labels, admin).
          description: >-
            Every error is OpenAI's error object with the message in Chinese and English
            (`message_zh`, `message_en`). Model routes take a tenant key; `/admin` routes take the admin
            token; the public pages and operations endpoints take none. Requirement IDs are in README.md.
          license:
            name: Apache-2.0
        servers:
          - url: http://127.0.0.1:8080
        tags:
          - name: model
            description: OpenAI-compatible model API, moderated and labelled (IM-4, IM-12, IM-14)
          - name: users
            description: End users — agreement, minors' mode, sanctions, personal-information rights (IM-9, IM-10, IM-11, IM-14)
          - name: complaints
            description: Complaints, reports and takedowns (IM-15)
          - name: public
            description: Public pages and keys
          - name: operations
            description: Health, readiness, metrics, this document
          - name: admin
            description: The compliance officer's API (every call audited)
        paths:
          /healthz:
            get:
              operationId: healthz
              tags: [operations]
              summary: The process answers
              responses:
                "200":
                  description: Alive
                  content:
                    application/json:
                      schema: {type: object, required: [status], properties: {status: {const: ok}}}
                default: {$ref: "#/components/responses/Error"}
          /readyz:
            get:
              operationId: readyz
              tags: [operations]
              summary: Ready when the upstream answers and the store and data directory work (503 otherwise)
              responses:
                "200": {$ref: "#/components/responses/Readiness"}
                "503": {$ref: "#/components/responses/Readiness"}
                default: {$ref: "#/components/responses/Error"}
          /metrics:
            get:
              operationId: metrics
              tags: [operations]
              summary: Prometheus text format
              responses:
                "200": {$ref: "#/components/responses/Text"}
                default: {$ref: "#/components/responses/Error"}
          /openapi.yaml:
            get:
              operationId: openapi
              tags: [operations]
              summary: This document
              responses:
                "200":
                  description: OpenAPI 3.1 document
                  content:
                    application/yaml: {schema: {type: string}}
                default: {$ref: "#/components/responses/Error"}
          /about:
            get:
              operationId: about
              tags: [public]
              summary: The service disclosure page (IM-4, IM-10.1, IM-12, IM-15)
              parameters:
                - {name: format, in: query, schema: {type: string}}
              responses:
                "200": {$ref: "#/components/responses/Page"}
                default: {$ref: "#/components/responses/PageError"}
          /agreement:
            get:
              operationId: agreement
              tags: [public]
              summary: The published service agreement (IM-9)
              parameters:
                - {name: version, in: query, schema: {type: string}}
                - {name: format, in: query, schema: {type: string}}
              responses:
                "200": {$ref: "#/components/responses/Page"}
                default: {$ref: "#/components/responses/PageError"}
          /complaints:
            get:
              operationId: complaintForm
              tags: [public]
              summary: The public complaint and report form (IM-15)
              responses:
                "200": {$ref: "#/components/responses/Page"}
                default: {$ref: "#/components/responses/PageError"}
            post:
              operationId: complaintFormSubmit
              tags: [public]
              summary: Files a complaint from the form (CSRF token and cookie required)
              requestBody: {$ref: "#/components/requestBodies/Form"}
              responses:
                "200": {$ref: "#/components/responses/Page"}
                "201": {$ref: "#/components/responses/Page"}
                default: {$ref: "#/components/responses/PageError"}
          /complaints/status:
            get:
              operationId: complaintStatusForm
              tags: [public]
              summary: The form to read a ticket with its access code
              responses:
                "200": {$ref: "#/components/responses/Page"}
                default: {$ref: "#/components/responses/PageError"}
            post:
              operationId: complaintStatus
              tags: [public]
              summary: A ticket's status, for its access code
              requestBody: {$ref: "#/components/requestBodies/Form"}
              responses:
                "200": {$ref: "#/components/responses/Page"}
                default: {$ref: "#/components/responses/PageError"}
          /complaints/respond:
            post:
              operationId: complaintRespond
              tags: [public]
              summary: The complainant adds to a ticket (access code required)
              requestBody: {$ref: "#/components/requestBodies/Form"}
              responses:
                "200": {$ref: "#/components/responses/Page"}
                default: {$ref: "#/components/responses/PageError"}
          /generated/{name}:
            get:
              operationId: generatedFile
              tags: [public]
              summary: A labelled copy of a generated file (the name is random; served for labels.file_lifetime_hours)
              parameters:
                - {name: name, in: path, required: true, schema: {type: string}}
              responses:
                "200":
                  description: The labelled file
                  content:
                    "*/*": {schema: {type: string, format: binary}}
                default: {$ref: "#/components/responses/Error"}
          /labels/public-key:
            get:
              operationId: labelPublicKey
              tags: [public]
              summary: The key that verifies this deployment's label seals (LBL-6)
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /v1/chat/completions:
            post:
              operationId: createChatCompletion
              tags: [model]
              summary: Forwarded to the upstream after the end-user gate and input moderation; the answer moderated and labelled
              security: [{tenantKey: []}]
              parameters:
                - {$ref: "#/components/parameters/EndUserHeader"}
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/ChatCompletionRequest"}
              responses:
                "200":
                  description: "The answer (JSON), or server-sent events ending with `data: [DONE]`"
                  content:
                    application/json: {schema: {$ref: "#/components/schemas/ChatCompletion"}}
                    text/event-stream:
                      schema:
                        description: >-
                          One server-sent event (schemathesis checks each): `data` is a chunk of OpenAI's
                          chat.completion.chunk as JSON (the first one carrying `aigc`), an error object
                          when the stream fails, or `[DONE]` at the end.
                        type: object
                        required: [data]
                        properties:
                          data: {type: string}
                          event: {type: string}
                          id: {type: string}
                default: {$ref: "#/components/responses/Error"}
          /v1/models:
            get:
              operationId: listModels
              tags: [model]
              summary: The configured aliases, else the upstream's list
              security: [{tenantKey: []}]
              responses:
                "200":
                  description: The models
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [object, data]
                        properties:
                          object: {const: list}
                          data: {type: array, items: {type: object, required: [id], properties: {id: {type: string}}}}
                default: {$ref: "#/components/responses/Error"}
          /v1/images/generations:
            post:
              operationId: createImage
              tags: [model]
              summary: Forwarded; the prompt moderated, every image labelled (record, visible mark, seal)
              security: [{tenantKey: []}]
              parameters:
                - {$ref: "#/components/parameters/EndUserHeader"}
              requestBody: {$ref: "#/components/requestBodies/Object"}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /v1/audio/speech:
            post:
              operationId: createSpeech
              tags: [model]
              summary: Forwarded; the input moderated, the audio labelled (record, cue)
              security: [{tenantKey: []}]
              parameters:
                - {$ref: "#/components/parameters/EndUserHeader"}
              requestBody: {$ref: "#/components/requestBodies/Object"}
              responses:
                "200":
                  description: The labelled audio file
                  content:
                    "*/*": {schema: {type: string, format: binary}}
                default: {$ref: "#/components/responses/Error"}
          /v1/moderations:
            post:
              operationId: createModeration
              tags: [model]
              summary: Checks texts; OpenAI's moderation shape with the TC260 categories
              security: [{tenantKey: []}]
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [input]
                      properties:
                        input:
                          oneOf:
                            - {type: string}
                            - {type: array, items: {type: string}}
                        model: {type: string}
              responses:
                "200":
                  description: One result per input, categories by TC260 risk code
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [id, model, results]
                        properties:
                          id: {type: string}
                          model: {type: string}
                          results:
                            type: array
                            items:
                              type: object
                              required: [flagged, categories, category_scores]
                              properties:
                                flagged: {type: boolean}
                                categories: {type: object, additionalProperties: {type: boolean}}
                                category_scores: {type: object, additionalProperties: {type: number}}
                default: {$ref: "#/components/responses/Error"}
          /v1/complaints:
            post:
              operationId: fileComplaint
              tags: [complaints]
              summary: A complaint from an app, with a ticket and access code (IM-15)
              security: [{tenantKey: []}]
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [category, description]
                      properties:
                        category: {type: string}
                        description: {type: string}
                        content: {type: string}
                        contact: {type: string}
                        language: {type: string}
              responses:
                "201":
                  description: The ticket and its access code (shown once)
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [ticket, access_code]
                        properties:
                          ticket: {type: string, pattern: "^C[0-9]{8}-[0-9A-F]{8}$"}
                          access_code: {type: string}
                default: {$ref: "#/components/responses/Error"}
          /v1/complaints/{ticket}:
            get:
              operationId: readComplaint
              tags: [complaints]
              summary: A ticket, with its access code in `X-Hegui-Access-Code`
              security: [{tenantKey: []}]
              parameters:
                - {$ref: "#/components/parameters/Ticket"}
                - {name: X-Hegui-Access-Code, in: header, schema: {type: string}}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /v1/content/{id}:
            get:
              operationId: contentStatus
              tags: [complaints]
              summary: Whether a piece of generated content was taken down
              security: [{tenantKey: []}]
              parameters:
                - {$ref: "#/components/parameters/Id"}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /v1/hegui/agreement:
            get:
              operationId: currentAgreement
              tags: [users]
              summary: The current service agreement (IM-9)
              security: [{tenantKey: []}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /v1/hegui/users/{user}:
            get:
              operationId: readUser
              tags: [users]
              security: [{tenantKey: []}]
              parameters: [{$ref: "#/components/parameters/User"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
            patch:
              operationId: updateUser
              tags: [users]
              summary: Minor, birth year, age band, identity verification, locale (IM-10.3)
              security: [{tenantKey: []}]
              parameters: [{$ref: "#/components/parameters/User"}]
              requestBody: {$ref: "#/components/requestBodies/UserAttributes"}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
            delete:
              operationId: deleteUser
              tags: [users]
              summary: Deletion (IM-11.5); pseudonymous audit events stay
              security: [{tenantKey: []}]
              parameters: [{$ref: "#/components/parameters/User"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /v1/hegui/users/{user}/agreement:
            post:
              operationId: acceptAgreement
              tags: [users]
              security: [{tenantKey: []}]
              parameters: [{$ref: "#/components/parameters/User"}]
              requestBody: {$ref: "#/components/requestBodies/Object"}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                "201": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /v1/hegui/users/{user}/correction:
            post:
              operationId: correctUser
              tags: [users]
              security: [{tenantKey: []}]
              parameters: [{$ref: "#/components/parameters/User"}]
              requestBody: {$ref: "#/components/requestBodies/UserAttributes"}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /v1/hegui/users/{user}/export:
            get:
              operationId: exportUser
              tags: [users]
              summary: Access and copy (IM-11.5)
              security: [{tenantKey: []}]
              parameters: [{$ref: "#/components/parameters/User"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /v1/hegui/users/{user}/training-consent/withdraw:
            post:
              operationId: withdrawTrainingConsent
              tags: [users]
              security: [{tenantKey: []}]
              parameters: [{$ref: "#/components/parameters/User"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /v1/hegui/users/{user}/sanctions:
            get:
              operationId: listSanctions
              tags: [users]
              security: [{tenantKey: []}]
              parameters: [{$ref: "#/components/parameters/User"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /v1/hegui/users/{user}/sanctions/{id}/appeal:
            post:
              operationId: appealSanction
              tags: [users]
              security: [{tenantKey: []}]
              parameters: [{$ref: "#/components/parameters/User"}, {$ref: "#/components/parameters/Id"}]
              requestBody: {$ref: "#/components/requestBodies/Appeal"}
              responses:
                "201": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/audit/tree-heads:
            get:
              operationId: adminTreeHeads
              tags: [admin]
              security: [{adminToken: []}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
            post:
              operationId: adminSignTreeHead
              tags: [admin]
              security: [{adminToken: []}]
              responses:
                "201":
                  description: The signed tree head
                  content:
                    application/json: {schema: {$ref: "#/components/schemas/TreeHead"}}
                default: {$ref: "#/components/responses/Error"}
          /admin/audit/tree-heads/latest:
            get:
              operationId: adminLatestTreeHead
              tags: [admin]
              security: [{adminToken: []}]
              responses:
                "200":
                  description: The newest signed tree head
                  content:
                    application/json: {schema: {$ref: "#/components/schemas/TreeHead"}}
                default: {$ref: "#/components/responses/Error"}
          /admin/audit/events:
            get:
              operationId: adminAuditEvents
              tags: [admin]
              security: [{adminToken: []}]
              parameters:
                - {name: from, in: query, schema: {type: integer, minimum: 0}}
                - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000}}
              responses:
                "200":
                  description: Events in sequence order, each with its canonical JSON and leaf hash
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [events, next]
                        properties:
                          events:
                            type: array
                            items:
                              type: object
                              required: [sequence, event, leaf_hash]
                              properties:
                                sequence: {type: integer, minimum: 0}
                                event: {type: string}
                                leaf_hash: {type: string, pattern: "^[0-9a-f]{64}$"}
                          next: {type: [integer, "null"]}
                default: {$ref: "#/components/responses/Error"}
          /admin/audit/events/{sequence}/proof:
            get:
              operationId: adminInclusionProof
              tags: [admin]
              security: [{adminToken: []}]
              parameters:
                - {name: sequence, in: path, required: true, schema: {type: integer, minimum: 0}}
                - {name: tree_size, in: query, schema: {type: integer, minimum: 1}}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/audit/consistency:
            get:
              operationId: adminConsistencyProof
              tags: [admin]
              security: [{adminToken: []}]
              parameters:
                - {name: from, in: query, required: true, schema: {type: integer, minimum: 1}}
                - {name: to, in: query, required: true, schema: {type: integer, minimum: 1}}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/audit/verify:
            post:
              operationId: adminVerifyAudit
              tags: [admin]
              security: [{adminToken: []}]
              responses:
                "200":
                  description: Whether the log is intact, and what is wrong where it is not
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [intact, findings]
                        properties:
                          intact: {type: boolean}
                          findings: {type: array}
                default: {$ref: "#/components/responses/Error"}
          /admin/policy:
            get:
              operationId: adminPolicy
              tags: [admin]
              security: [{adminToken: []}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/policy/reload:
            post:
              operationId: adminReloadPolicy
              tags: [admin]
              security: [{adminToken: []}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/filing:
            get:
              operationId: adminFiling
              tags: [admin]
              security: [{adminToken: []}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/dashboard:
            get:
              operationId: adminDashboard
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/From"}, {$ref: "#/components/parameters/Through"}, {$ref: "#/components/parameters/TenantFilter"}]
              responses:
                "200": {$ref: "#/components/responses/Page"}
                default: {$ref: "#/components/responses/Error"}
          /admin/statistics:
            get:
              operationId: adminStatistics
              tags: [admin]
              security: [{adminToken: []}]
              parameters:
                - {$ref: "#/components/parameters/From"}
                - {$ref: "#/components/parameters/Through"}
                - {$ref: "#/components/parameters/TenantFilter"}
                - {name: format, in: query, schema: {type: string, enum: [json, csv, risks.csv]}}
              responses:
                "200":
                  description: The figures
                  content:
                    application/json: {schema: {$ref: "#/components/schemas/Object"}}
                    text/csv: {schema: {type: string}}
                default: {$ref: "#/components/responses/Error"}
          /admin/reports/assessment:
            get:
              operationId: adminAssessmentReport
              tags: [admin]
              security: [{adminToken: []}]
              parameters:
                - {$ref: "#/components/parameters/From"}
                - {$ref: "#/components/parameters/Through"}
                - {$ref: "#/components/parameters/ReportFormat"}
              responses:
                "200": {$ref: "#/components/responses/Report"}
                default: {$ref: "#/components/responses/Error"}
          /admin/reports/dossier:
            get:
              operationId: adminDossier
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/ReportFormat"}]
              responses:
                "200": {$ref: "#/components/responses/Report"}
                default: {$ref: "#/components/responses/Error"}
          /admin/agreements:
            post:
              operationId: adminPublishAgreement
              tags: [admin]
              security: [{adminToken: []}]
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [version, text_zh]
                      properties:
                        version: {type: string}
                        text_zh: {type: string}
                        text_en: {type: string}
              responses:
                "201": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/complaints:
            get:
              operationId: adminComplaints
              tags: [admin]
              security: [{adminToken: []}]
              parameters:
                - {name: status, in: query, schema: {type: string}}
                - {name: overdue, in: query, schema: {type: string, enum: ["true", "false"]}}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/complaints/{ticket}:
            get:
              operationId: adminComplaint
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Ticket"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/complaints/{ticket}/actions:
            post:
              operationId: adminComplaintAction
              tags: [admin]
              summary: A step of the officer's workflow (assign, note, reply, resolve, reject, escalate…)
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Ticket"}]
              requestBody: {$ref: "#/components/requestBodies/Object"}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/complaints/{ticket}/attachments/{index}:
            get:
              operationId: adminComplaintAttachment
              tags: [admin]
              security: [{adminToken: []}]
              parameters:
                - {$ref: "#/components/parameters/Ticket"}
                - {name: index, in: path, required: true, schema: {type: integer, minimum: 0}}
              responses:
                "200":
                  description: The attachment as filed
                  content:
                    "*/*": {schema: {type: string, format: binary}}
                default: {$ref: "#/components/responses/Error"}
          /admin/takedowns:
            post:
              operationId: adminTakedown
              tags: [admin]
              summary: Takes content down, holding its evidence (IM-14.1)
              security: [{adminToken: []}]
              requestBody: {$ref: "#/components/requestBodies/Object"}
              responses:
                "201": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/incidents:
            get:
              operationId: adminIncidents
              tags: [admin]
              security: [{adminToken: []}]
              parameters:
                - {name: format, in: query, schema: {type: string, enum: [json, jsonl]}}
              responses:
                "200":
                  description: The incidents
                  content:
                    application/json: {schema: {$ref: "#/components/schemas/Object"}}
                    application/x-ndjson: {schema: {type: string}}
                default: {$ref: "#/components/responses/Error"}
          /admin/incidents/{id}/report:
            get:
              operationId: adminIncidentReport
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/ReportFormat"}]
              responses:
                "200": {$ref: "#/components/responses/Report"}
                default: {$ref: "#/components/responses/Error"}
          /admin/incidents/{id}/status:
            post:
              operationId: adminIncidentStatus
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Id"}]
              requestBody: {$ref: "#/components/requestBodies/Object"}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/rectification-samples:
            get:
              operationId: adminRectificationSamples
              tags: [admin]
              summary: Refused prompts as a training set; users who withdrew consent left out (TC-7.3)
              security: [{adminToken: []}]
              responses:
                "200":
                  description: One JSON object a line
                  content:
                    application/x-ndjson: {schema: {type: string}}
                default: {$ref: "#/components/responses/Error"}
          /admin/rights-requests:
            get:
              operationId: adminRightsRequests
              tags: [admin]
              security: [{adminToken: []}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/rights-requests/{id}/complete:
            post:
              operationId: adminCompleteRightsRequest
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Id"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/sanctions/reported:
            get:
              operationId: adminReportedSanctions
              tags: [admin]
              security: [{adminToken: []}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants:
            get:
              operationId: adminTenants
              tags: [admin]
              security: [{adminToken: []}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
            post:
              operationId: adminCreateTenant
              tags: [admin]
              security: [{adminToken: []}]
              requestBody: {$ref: "#/components/requestBodies/Tenant"}
              responses:
                "201": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants/{tenant}:
            get:
              operationId: adminTenant
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
            patch:
              operationId: adminUpdateTenant
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}]
              requestBody: {$ref: "#/components/requestBodies/Tenant"}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants/{tenant}/keys:
            get:
              operationId: adminTenantKeys
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
            post:
              operationId: adminCreateTenantKey
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}]
              responses:
                "201": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants/{tenant}/keys/{id}:
            delete:
              operationId: adminRevokeTenantKey
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}, {$ref: "#/components/parameters/Id"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants/{tenant}/keys/{id}/rotate:
            post:
              operationId: adminRotateTenantKey
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}, {$ref: "#/components/parameters/Id"}]
              responses:
                "201": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants/{tenant}/users/{user}:
            get:
              operationId: adminReadUser
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}, {$ref: "#/components/parameters/User"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
            patch:
              operationId: adminUpdateUser
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}, {$ref: "#/components/parameters/User"}]
              requestBody: {$ref: "#/components/requestBodies/UserAttributes"}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
            delete:
              operationId: adminDeleteUser
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}, {$ref: "#/components/parameters/User"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants/{tenant}/users/{user}/agreement:
            post:
              operationId: adminAcceptAgreement
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}, {$ref: "#/components/parameters/User"}]
              requestBody: {$ref: "#/components/requestBodies/Object"}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                "201": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants/{tenant}/users/{user}/correction:
            post:
              operationId: adminCorrectUser
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}, {$ref: "#/components/parameters/User"}]
              requestBody: {$ref: "#/components/requestBodies/UserAttributes"}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants/{tenant}/users/{user}/export:
            get:
              operationId: adminExportUser
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}, {$ref: "#/components/parameters/User"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants/{tenant}/users/{user}/training-consent/withdraw:
            post:
              operationId: adminWithdrawTrainingConsent
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}, {$ref: "#/components/parameters/User"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants/{tenant}/users/{user}/rights-requests:
            post:
              operationId: adminFileRightsRequest
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}, {$ref: "#/components/parameters/User"}]
              requestBody: {$ref: "#/components/requestBodies/Object"}
              responses:
                "201": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants/{tenant}/users/{user}/sanctions:
            get:
              operationId: adminListSanctions
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}, {$ref: "#/components/parameters/User"}]
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
            post:
              operationId: adminImposeSanction
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}, {$ref: "#/components/parameters/User"}]
              requestBody: {$ref: "#/components/requestBodies/Object"}
              responses:
                "201": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants/{tenant}/users/{user}/sanctions/{id}/appeal:
            post:
              operationId: adminAppealSanction
              tags: [admin]
              security: [{adminToken: []}]
              parameters:
                - {$ref: "#/components/parameters/Tenant"}
                - {$ref: "#/components/parameters/User"}
                - {$ref: "#/components/parameters/Id"}
              requestBody: {$ref: "#/components/requestBodies/Appeal"}
              responses:
                "201": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants/{tenant}/sanctions/{id}:
            patch:
              operationId: adminAnnotateSanction
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}, {$ref: "#/components/parameters/Id"}]
              requestBody: {$ref: "#/components/requestBodies/Object"}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
          /admin/tenants/{tenant}/sanctions/{id}/lift:
            post:
              operationId: adminLiftSanction
              tags: [admin]
              security: [{adminToken: []}]
              parameters: [{$ref: "#/components/parameters/Tenant"}, {$ref: "#/components/parameters/Id"}]
              requestBody: {$ref: "#/components/requestBodies/Object"}
              responses:
                "200": {$ref: "#/components/responses/Object"}
                default: {$ref: "#/components/responses/Error"}
        components:
          securitySchemes:
            tenantKey:
              type: http
              scheme: bearer
              description: An app's API key (a tenant of the gateway)
            adminToken:
              type: http
              scheme: bearer
              description: The admin token (admin.token_file); every call is an audit event
          parameters:
            User:
              {name: user, in: path, required: true, description: "The app's own id of the end user", schema: {type: string}}
            Tenant:
              {name: tenant, in: path, required: true, schema: {type: string}}
            Id:
              {name: id, in: path, required: true, schema: {type: string}}
            Ticket:
              {name: ticket, in: path, required: true, description: "C20261129-3F9A2C71", schema: {type: string}}
            EndUserHeader:
              {name: X-Hegui-User, in: header, description: "The end user, when the body has no `user`", schema: {type: string}}
            From:
              {name: from, in: query, description: "YYYY-MM-DD (Beijing)", schema: {type: string}}
            Through:
              {name: through, in: query, description: "YYYY-MM-DD (Beijing)", schema: {type: string}}
            TenantFilter:
              {name: tenant, in: query, schema: {type: string}}
            ReportFormat:
              {name: format, in: query, schema: {type: string, enum: [html, md]}}
          requestBodies:
            Object:
              content:
                application/json: {schema: {$ref: "#/components/schemas/Object"}}
            Form:
              content:
                application/x-www-form-urlencoded: {schema: {type: object, additionalProperties: {type: string}}}
                multipart/form-data: {schema: {type: object, additionalProperties: {type: string}}}
            UserAttributes:
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      minor: {type: boolean}
                      birth_year: {type: integer}
                      age_band: {type: string, enum: [under8, 8to16, 16to18, adult]}
                      identity_verified: {type: boolean}
                      locale: {type: string}
            Appeal:
              content:
                application/json:
                  schema:
                    type: object
                    required: [text]
                    properties:
                      text: {type: string}
                      contact: {type: string}
            Tenant:
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id: {type: string}
                      name: {type: string}
                      policy: {type: [string, "null"]}
                      requests_per_minute: {type: [integer, "null"]}
                      tokens_per_day: {type: [integer, "null"]}
                      label_placement: {type: [string, "null"]}
                      label_text: {type: [string, "null"]}
          responses:
            Error:
              description: An error in OpenAI's shape, the message in Chinese and English
              content:
                application/json: {schema: {$ref: "#/components/schemas/Error"}}
            PageError:
              description: An error, as a page or in OpenAI's shape
              content:
                text/html: {schema: {type: string}}
                application/json: {schema: {$ref: "#/components/schemas/Error"}}
            Object:
              description: A JSON object
              content:
                application/json: {schema: {$ref: "#/components/schemas/Object"}}
            Readiness:
              description: Readiness with the check of each part
              content:
                application/json:
                  schema:
                    type: object
                    required: [status, checks]
                    properties:
                      status: {type: string, enum: [ready, not_ready]}
                      checks: {type: object}
            Text:
              description: Plain text
              content:
                text/plain: {schema: {type: string}}
            Page:
              description: A page (Chinese with English beside it), or its JSON or Markdown form
              content:
                text/html: {schema: {type: string}}
                application/json: {schema: {$ref: "#/components/schemas/Object"}}
                text/markdown: {schema: {type: string}}
            Report:
              description: A report as printable HTML or Markdown
              content:
                text/html: {schema: {type: string}}
                text/markdown: {schema: {type: string}}
          schemas:
            Object:
              type: object
            TreeHead:
              type: object
              required: [tree_size, root, time, signature]
              properties:
                tree_size: {type: integer, minimum: 0}
                root: {type: string, pattern: "^[0-9a-f]{64}$"}
                time: {type: integer}
                signature: {type: string, pattern: "^[0-9a-f]{128}$"}
                public_key: {type: string}
            ChatCompletion:
              type: object
              required: [id, object, model, choices]
              properties:
                id: {type: string}
                object: {const: chat.completion}
                model: {type: string}
                choices:
                  type: array
                  items:
                    type: object
                    required: [index, message]
                    properties:
                      index: {type: integer}
                      message: {type: object}
                      finish_reason: {type: [string, "null"]}
                usage: {type: object}
                aigc:
                  type: object
                  description: The implicit label, GB 45438 Appendix E (IM-12)
                  required: [Label, ContentProducer, ProduceID]
            Error:
              type: object
              required: [error]
              properties:
                error:
                  type: object
                  required: [message, type, code]
                  properties:
                    message: {type: string}
                    type: {type: string}
                    code: {type: [string, "null"]}
                    param: {type: [string, "null"]}
                    message_zh: {type: string}
                    message_en: {type: string}
            ChatCompletionRequest:
              type: object
              required: [model, messages]
              properties:
                model: {type: string}
                messages:
                  type: array
                  items:
                    type: object
                    required: [role]
                    properties:
                      role: {type: string}
                      content:
                        oneOf:
                          - {type: string}
                          - {type: array}
                          - {type: "null"}
                user: {type: string}
                stream: {type: boolean}
        """#
}
