/**
 * Summaries and descriptions of the HTTP operations for the OpenAPI document,
 * keyed by "METHOD /path". Kept in one table rather than on each route so the
 * route files stay as they are (several features change them in parallel); a
 * route's own `summary`/`description` wins. test/integration/docs/openapi.test.ts
 * fails for any operation left undocumented, so a new route must add a line.
 */
export interface RouteDoc {
  summary: string;
  description: string;
  /** Success bodies that are not JSON (files, pages, images): status → media types. */
  produces?: Record<number, string[]>;
  /** Error statuses the handler answers besides those its schema lists and the cross-cutting ones. */
  errors?: number[];
  /** The request body is multipart/form-data (document upload). */
  upload?: boolean;
  /**
   * Node-to-node only (the media cluster): marked `x-internal` and secured by
   * the cluster secret header, never a browser's session. Such routes exist
   * only when CLUSTER_SECRET is set.
   */
  internal?: boolean;
}

const PDF_ETC = ['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/octet-stream'];

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  // ---- minutes (biên bản) and the archive
  'GET /api/meetings/{id}/minutes': { summary: 'Biên bản (bản nháp) / Minutes draft', description: 'The minutes of an ended meeting built from what happened (attendance per level and bridge point, agenda items with time used, speakers, documents, polls with counts and chain heads), with the fields the secretariat typed and their versions, and any finalised versions.' },
  'PUT /api/meetings/{id}/minutes/fields/{field}': { summary: 'Sửa một mục biên bản / Edit a minutes field', description: 'Saves one typed field (number, place, chair, secretary, a conclusion) naming the version it was edited from. If another secretary saved in between, the two texts are merged line by line and the answer says so; nothing typed is lost. A finalised record answers 409 (amend it instead).' },
  'POST /api/meetings/{id}/minutes/finalise': { summary: 'Hoàn thành biên bản / Finalise minutes', description: 'Renders the DOCX and the PAdES-signed PDF, and writes their SHA-256 with the heads of the poll chains and of the audit chain into the audit chain. The record is then read-only.' },
  'POST /api/meetings/{id}/minutes/amend': { summary: 'Sửa đổi biên bản / Amend minutes', description: 'Opens a new draft version of finalised minutes; the reason (what changed) is required and kept. Earlier signed files stay available.' },
  'GET /api/meetings/{id}/minutes/file.{format}': { summary: 'Tải biên bản / Download minutes', description: 'The minutes as DOCX or PDF (`format` docx or pdf): the draft, or a finalised version (`version`), whose PDF carries the signature. Confidential content never appears.', produces: { 200: ['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'] } },
  'GET /api/meetings/{id}/minutes/export/{table}.{format}': { summary: 'Xuất dữ liệu cuộc họp / Export meeting data', description: 'Attendance, per-bridge subtotals, speakers, poll results, document receipts or confidential views (`table`) as CSV or XLSX (`format`).', produces: { 200: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] } },
  'GET /api/minutes/archive': { summary: 'Lưu trữ biên bản / Minutes archive', description: 'Ended meetings of the province with their minutes, searchable by title, unit, date and the text of the conclusions, with or without Vietnamese diacritics.' },
  'GET /api/minutes/settings': { summary: 'Mẫu biên bản / Minutes template settings', description: 'The province\'s minutes layout (Party, Hướng dẫn 36-HD/VPTW; or state, Nghị định 30/2020/NĐ-CP) and header names.' },
  'PUT /api/minutes/settings': { summary: 'Đặt mẫu biên bản / Set minutes template', description: 'Chooses the province\'s minutes layout and header names. Secretariat or admin of that province.' },
  // ---- recording of the main stage
  'GET /api/meetings/{id}/recording': { summary: 'Ghi hình cuộc họp / Meeting recording status', description: 'Whether the main stage is being recorded, the meeting\'s recording policy and classification, and the recordings the caller may play.' },
  'PUT /api/meetings/{id}/recording/policy': { summary: 'Chính sách ghi hình / Recording policy', description: 'Secretariat: the classification recordings of this meeting carry, and for a confidential meeting whether recording is allowed at all.' },
  'POST /api/meetings/{id}/recording/start': { summary: 'Bắt đầu ghi hình / Start recording', description: 'Chair or secretariat: starts recording the main stage (video on stage, mixed hall and speaker audio) in segments. Refused for a confidential meeting unless allowed (CONFIDENTIAL), without a source on stage, or when the disk cannot hold it. Audited.' },
  'POST /api/meetings/{id}/recording/stop': { summary: 'Dừng ghi hình / Stop recording', description: 'Stops the recording, joins its segments and writes the file\'s SHA-256 into the audit chain.' },
  'POST /api/recordings/{rid}/grant': { summary: 'Cấp quyền xem ghi hình / Grant playback', description: 'A short-lived signed playback link for the caller, if the recording\'s classification allows their role (a confidential recording: streaming only, to participants signed in with a password). Every grant is logged.' },
  'GET /api/recordings/{rid}/stream': { summary: 'Phát ghi hình / Stream recording', description: 'Streams the recording inline (Range supported) with a signed link from /grant; never offered as a download.', produces: { 200: ['video/webm'], 206: ['video/webm'] }, errors: [403, 404, 416] },
  'GET /api/recordings/{rid}/download': { summary: 'Tải ghi hình / Download recording', description: 'Downloads a non-confidential recording with a signed link from /grant; a confidential recording is never downloadable (403).', produces: { 200: ['video/webm'], 206: ['video/webm'] }, errors: [403, 404, 416] },
  // ---- auth
  'POST /api/auth/login': { summary: 'Đăng nhập / Sign in', description: 'Signs in with username and password. Answers the user and a `token` (send it as `Authorization: Bearer`, or as `auth.token` in the Socket.IO handshake) and sets the HttpOnly `dc_session` cookie. Throttled per username and per IP (429); failures are audited.' },
  'POST /api/auth/logout': { summary: 'Đăng xuất / Sign out', description: 'Ends the current session: its HTTP access and live Socket.IO connections stop at once.' },
  'GET /api/auth/me': { summary: 'Tài khoản hiện tại / Current user', description: 'The signed-in user, their province and bridge point, and for a QR session the one meeting it may enter.' },
  'POST /api/auth/password': { summary: 'Đổi mật khẩu / Change password', description: 'Changes one\'s own password (at least 10 characters, not containing the username, not a common password). The account\'s other sessions end. A QR session cannot change it.' },
  'GET /api/auth/pin': { summary: 'Trạng thái mã PIN / Voting PIN status', description: 'Whether the delegate has set a voting PIN (needed before voting in a QR session).' },
  'PUT /api/auth/pin': { summary: 'Đặt mã PIN biểu quyết / Set voting PIN', description: 'Sets or changes the 4–6 digit voting PIN, confirmed with the account password.' },
  // ---- units, bridge points, users
  'GET /api/units': { summary: 'Danh sách đơn vị / List units', description: 'Administrative units (province, districts, communes) the caller may see.' },
  'POST /api/units': { summary: 'Tạo đơn vị / Create unit', description: 'Creates a unit under a parent unit (its level follows the parent\'s). Admin only.' },
  'GET /api/units/{id}': { summary: 'Xem đơn vị / Get unit', description: 'One unit.' },
  'PATCH /api/units/{id}': { summary: 'Sửa đơn vị / Update unit', description: 'Renames or recodes a unit. Admin only.' },
  'DELETE /api/units/{id}': { summary: 'Xóa đơn vị / Delete unit', description: 'Deletes a unit that nothing refers to (409 otherwise). Admin only.' },
  'GET /api/bridge-points': { summary: 'Danh sách điểm cầu / List bridge points', description: 'Bridge points (điểm cầu) with their level, room and operator.' },
  'POST /api/bridge-points': { summary: 'Tạo điểm cầu / Create bridge point', description: 'Creates a bridge point for a unit, optionally naming its operator. Admin only.' },
  'GET /api/bridge-points/{id}': { summary: 'Xem điểm cầu / Get bridge point', description: 'One bridge point.' },
  'PATCH /api/bridge-points/{id}': { summary: 'Sửa điểm cầu / Update bridge point', description: 'Changes a bridge point\'s name, room or operator. Admin only.' },
  'DELETE /api/bridge-points/{id}': { summary: 'Xóa điểm cầu / Delete bridge point', description: 'Deletes a bridge point no meeting refers to (409 otherwise). Admin only.' },
  'GET /api/users': { summary: 'Danh sách người dùng / List users', description: 'Accounts the caller manages, optionally filtered by role.' },
  'POST /api/users': { summary: 'Tạo tài khoản / Create user', description: 'Creates an account (password policy applies; typed PASSWORD_* errors). An optional `email` receives reminders and new-material notices.' },
  'GET /api/users/{id}': { summary: 'Xem tài khoản / Get user', description: 'One account.' },
  'PATCH /api/users/{id}': { summary: 'Sửa tài khoản / Update user', description: 'Changes name, title, home bridge point, e-mail, password or active flag. A new password or deactivation ends the account\'s sessions.' },
  'DELETE /api/users/{id}': { summary: 'Vô hiệu hóa tài khoản / Deactivate user', description: 'Deactivates an account (never deleted: the record keeps referring to it) and ends its sessions.' },
  // ---- meetings, invitations, agenda
  'GET /api/meetings': { summary: 'Danh sách cuộc họp / List meetings', description: 'Meetings the caller manages or is invited to.' },
  'POST /api/meetings': { summary: 'Tạo cuộc họp / Create meeting', description: 'Drafts a meeting chaired by a unit of the caller\'s province.' },
  'GET /api/meetings/{id}': { summary: 'Xem cuộc họp / Get meeting', description: 'One meeting the caller may see.' },
  'PATCH /api/meetings/{id}': { summary: 'Sửa cuộc họp / Update meeting', description: 'Changes title, description or times; moving a meeting moves its QR codes\' validity and its reminders.' },
  'DELETE /api/meetings/{id}': { summary: 'Xóa cuộc họp / Delete meeting', description: 'Deletes a draft meeting (409 once scheduled).' },
  'POST /api/meetings/{id}/transition': { summary: 'Chuyển trạng thái / Change meeting status', description: 'Moves a meeting along draft → scheduled → live → ended → archived; an illegal step answers 409 ILLEGAL_TRANSITION.' },
  'GET /api/meetings/{id}/invitations': { summary: 'Danh sách mời / Invitations', description: 'The bridge points and delegates invited to the meeting.' },
  'POST /api/meetings/{id}/bridge-points': { summary: 'Mời điểm cầu / Invite bridge points', description: 'Invites bridge points by id, or every bridge point in the subtree of the given units.' },
  'DELETE /api/meetings/{id}/bridge-points/{memberId}': { summary: 'Bỏ mời điểm cầu / Uninvite bridge point', description: 'Removes a bridge point from the meeting.' },
  'POST /api/meetings/{id}/delegates': { summary: 'Mời đại biểu / Invite delegates', description: 'Invites delegates to the meeting.' },
  'DELETE /api/meetings/{id}/delegates/{memberId}': { summary: 'Bỏ mời đại biểu / Uninvite delegate', description: 'Removes a delegate; their QR code and QR sessions stop working.' },
  'GET /api/meetings/{id}/agenda': { summary: 'Chương trình họp / Agenda', description: 'The meeting\'s agenda items in order.' },
  'POST /api/meetings/{id}/agenda': { summary: 'Thêm mục chương trình / Add agenda item', description: 'Appends an agenda item with its planned minutes.' },
  'PATCH /api/meetings/{id}/agenda/{itemId}': { summary: 'Sửa mục chương trình / Update agenda item', description: 'Changes an agenda item\'s title, presenter or planned minutes.' },
  'DELETE /api/meetings/{id}/agenda/{itemId}': { summary: 'Xóa mục chương trình / Delete agenda item', description: 'Deletes an agenda item.' },
  'PUT /api/meetings/{id}/agenda/order': { summary: 'Sắp xếp chương trình / Reorder agenda', description: 'Sets the full new order of the agenda (a permutation of the item ids).' },
  // ---- voting
  'GET /api/meetings/{id}/polls': { summary: 'Các lần biểu quyết / Polls of a meeting', description: 'Every poll of the meeting with its state.' },
  'GET /api/polls/{id}': { summary: 'Xem biểu quyết / Get poll', description: 'A poll with its turnout and, once closed, its result.' },
  'GET /api/polls/{id}/result': { summary: 'Kết quả biểu quyết / Poll result', description: 'The sealed result of a closed poll (409 while it is open).' },
  'GET /api/polls/{id}/result.csv': { summary: 'Kết quả (CSV) / Poll result as CSV', description: 'The result as CSV for the minutes.', produces: { 200: ['text/csv'] }, errors: [404, 409] },
  'GET /api/polls/{id}/ballots': { summary: 'Danh sách phiếu / Published ballots', description: 'The published ballot list: named for open polls; for secret polls anonymous choices and, apart, the sorted receipts.' },
  'POST /api/polls/{id}/receipt-check': { summary: 'Kiểm tra biên nhận / Check a receipt', description: 'Whether a ballot with this receipt was counted. Never says how it was marked; not logged.' },
  'GET /api/polls/{id}/verify': { summary: 'Kiểm tra độc lập / Verify a poll', description: 'Recomputes the hash chain and the tally and compares them with the announced result.' },
  // ---- operations
  'GET /api/health': { summary: 'Tình trạng máy chủ / Health', description: 'Answers 200 without a session once the server can serve requests.' },
  'GET /api/audit': { summary: 'Nhật ký / Audit log', description: 'Audit log entries, filtered and paged. Admin only.' },
  'GET /api/audit/verify': { summary: 'Kiểm tra nhật ký / Verify audit chain', description: 'Recomputes the audit hash chain and names the first broken entry, if any. Admin only.' },
  'GET /api/reports': { summary: 'Báo cáo / Usage and savings report', description: 'Meetings, attendance, documents, savings and polls for a unit over a period, against the previous period.' },
  'GET /api/reports/export.{format}': { summary: 'Xuất báo cáo / Export report', description: 'The same report as PDF or XLSX (`format` pdf or xlsx), with the method under each figure.', produces: { 200: ['application/pdf', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] } },
  'GET /api/reports/distances': { summary: 'Khoảng cách / Road distances', description: 'Each unit\'s road distance to its parent\'s seat, used for travel savings.' },
  'PUT /api/reports/distances/{unitId}': { summary: 'Sửa khoảng cách / Set road distance', description: 'Sets a unit\'s road distance (km). Admin only.' },
  // ---- internal: media between the nodes of a cluster (CLUSTER_SECRET set)
  'GET /internal/media/ping': { internal: true, summary: 'Nhịp tim nút / Node heartbeat', description: 'Internal, node to node: the node\'s id and boot id; a changed boot id tells the asking node that its pipes here are gone.' },
  'POST /internal/media/links': { internal: true, summary: 'Mở đường ống media / Open pipe link', description: 'Internal, node to node: creates this end of a pipe transport pair (SRTP) in the meeting\'s media room, connects it to the asking node\'s end and answers this end\'s address and key.' },
  'DELETE /internal/media/links/{linkId}': { internal: true, summary: 'Đóng đường ống media / Close pipe link', description: 'Internal, node to node: the other end of a link closed (room closed, node stopping); this end closes with the producers piped over it.' },
  'POST /internal/media/links/{linkId}/producers': { internal: true, summary: 'Nhận luồng qua đường ống / Produce piped stream', description: 'Internal, node to node: produces a stream arriving over the link under the origin\'s producer id and adds it to the meeting\'s room as its owner\'s, so local bridges consume it like a local stream.' },
  'POST /internal/media/links/{linkId}/producers/{producerId}/pause': { internal: true, summary: 'Tạm dừng luồng qua đường ống / Pause piped stream', description: 'Internal, node to node: mirrors a pause or resume of the origin\'s producer.' },
  'DELETE /internal/media/links/{linkId}/producers/{producerId}': { internal: true, summary: 'Đóng luồng qua đường ống / Close piped stream', description: 'Internal, node to node: the origin\'s producer closed; the piped one closes here.' },
  'POST /internal/media/meetings/{id}/pipe': { internal: true, summary: 'Chuyển sân khấu sang nút khác / Pipe stage to node', description: 'Internal: pipes this node\'s main-stage and active-speaker streams of the meeting (or the listed producers) to the node at `nodeUrl`. Called by the cross-node live state when another node hosts bridges of the meeting.', errors: [502, 504] },
  'GET /api/media/workers': { summary: 'Tải máy chủ media / Media worker load', description: 'CPU load and rooms of each mediasoup worker. Admin and secretariat.' },
  // ---- documents
  'GET /api/meetings/{id}/documents': { summary: 'Tài liệu cuộc họp / Meeting documents', description: 'The documents the caller may see, with what they may do (download, view as pages).' },
  'POST /api/meetings/{id}/documents': { summary: 'Tải lên tài liệu / Upload document', description: 'Uploads a document (PDF, DOCX, …) as multipart/form-data, fields first, then `file`. PDFs with active content are refused (ACTIVE_CONTENT); a full disk answers STORAGE_FULL.', upload: true, errors: [507] },
  'POST /api/meetings/{id}/documents/{docId}/versions': { summary: 'Phiên bản mới / Upload new version', description: 'Uploads a new version of a document (multipart/form-data). Classification can only be kept or raised here.', upload: true, errors: [507] },
  'GET /api/meetings/{id}/documents/receipts': { summary: 'Tình hình nhận tài liệu / Receipt counts', description: 'Who has received each published document, per bridge point.' },
  'POST /api/meetings/{id}/documents/publish': { summary: 'Gửi tài liệu / Publish documents', description: 'Publishes drafts ("send in advance"): entitled invitees get an in-app notice, a live `document:published` and, with SMTP_URL, an e-mail.' },
  'GET /api/meetings/{id}/documents/{docId}': { summary: 'Xem tài liệu / Get document', description: 'A document with all its versions.' },
  'PATCH /api/meetings/{id}/documents/{docId}': { summary: 'Sửa tài liệu / Update document', description: 'Changes title, classification (raise only) or audience.' },
  'POST /api/meetings/{id}/documents/{docId}/declassify': { summary: 'Giải mật / Declassify', description: 'Lowers a document\'s classification with a reason, recorded in the audit log.' },
  'POST /api/meetings/{id}/documents/{docId}/publish': { summary: 'Gửi một tài liệu / Publish one document', description: 'Publishes one document (see the publish-all operation).' },
  'POST /api/meetings/{id}/documents/{docId}/agenda': { summary: 'Gắn vào mục chương trình / Attach to agenda item', description: 'Attaches a document to an agenda item, or detaches it.' },
  'GET /api/meetings/{id}/documents/{docId}/download': { summary: 'Tải tài liệu / Download document', description: 'The stored file (Range and ETag supported). Confidential documents never download (403 CONFIDENTIAL).', produces: { 200: PDF_ETC, 206: PDF_ETC }, errors: [304, 404, 416] },
  'GET /api/meetings/{id}/documents/{docId}/pages/{page}': { summary: 'Xem trang / View page', description: 'One page rendered as a watermarked PNG (name, unit, time); the only way confidential documents are shown, to password sessions only. Every view is logged.', produces: { 200: ['image/png'] }, errors: [404] },
  'GET /api/documents/notifications': { summary: 'Thông báo tài liệu mới / New-document notices', description: 'Documents published to the caller and not yet marked seen.' },
  'POST /api/documents/notifications/seen': { summary: 'Đánh dấu đã xem / Mark notices seen', description: 'Marks the listed notices (all when `ids` is omitted) as seen.' },
  // ---- QR codes
  'GET /q/{token}': { summary: 'Trang mã QR / QR landing page', description: 'What a scanned QR code opens: the documents that delegate (or venue) may download, without a password. HTML for browsers, JSON with `Accept: application/json`. A bad or expired code answers 401, a revoked one 403.', produces: { 200: ['text/html'] }, errors: [401, 403, 404] },
  'POST /q/{token}/session': { summary: 'Vào phòng họp bằng mã QR / Enter meeting by QR', description: 'Opens a session confined to the code\'s meeting (no confidential pages, voting needs the PIN) and redirects to the live meeting page.', produces: { 200: ['text/html'] }, errors: [303, 401, 403, 404] },
  'GET /q/{token}/files/{docId}': { summary: 'Tải tài liệu bằng mã QR / Download by QR', description: 'Downloads a non-confidential document through a QR code; counted as a receipt.', produces: { 200: PDF_ETC, 206: PDF_ETC }, errors: [304, 401, 403, 404, 416] },
  'GET /api/meetings/{id}/qr/tokens': { summary: 'Danh sách mã QR / QR codes', description: 'Every QR code of the meeting with its validity and revocation.' },
  'POST /api/meetings/{id}/qr/delegates': { summary: 'Cấp mã QR đại biểu / Issue delegate codes', description: 'Issues a code to every invited delegate who has none (existing codes are kept: reprinting gives the same codes).' },
  'POST /api/meetings/{id}/qr/delegates/{memberId}': { summary: 'Cấp lại mã một đại biểu / Reissue one code', description: 'Reissues one delegate\'s code: the old one stops working at once and its sessions end.' },
  'POST /api/meetings/{id}/qr/reissue': { summary: 'Cấp lại tất cả mã / Reissue all codes', description: 'Reissues every delegate\'s code (e.g. a sheet was lost): all earlier codes stop working.' },
  'POST /api/meetings/{id}/qr/venue': { summary: 'Cấp mã QR hội trường / Issue venue code', description: 'Issues a venue code for a hall (optionally a bridge point): it opens the published non-confidential documents.' },
  'POST /api/meetings/{id}/qr/tokens/{jti}/revoke': { summary: 'Thu hồi mã QR / Revoke code', description: 'Revokes a code: it and the sessions it opened stop working.' },
  'GET /api/meetings/{id}/qr/tokens/{jti}/png': { summary: 'Ảnh mã QR / QR image', description: 'The code as a PNG image.', produces: { 200: ['image/png'] }, errors: [404] },
  'GET /api/meetings/{id}/qr-sheet': { summary: 'In phiếu mã QR / Printable QR sheet', description: 'A printable page: one card per invited delegate with the meeting\'s title, date and place, the delegate\'s name and the code\'s validity.', produces: { 200: ['text/html'] }, errors: [404, 409] },
};
