// Package sandbox is a stand-in for LinkedIn's internal web API (Voyager,
// paths under /voyager/api/), so that unvite's LinkedIn client can be
// tested where LinkedIn cannot be reached: the client runs its normal code
// with only the base URL changed.
//
// The wire protocol follows LINKEDIN.md and the golden replies in
// linkedin-golden/. The wire types here are written separately from the
// client's, so that a misreading on one side shows up as a failing test
// instead of hiding in shared structs.
//
// # Model
//
// A Sandbox holds accounts (AddAccount) and a simulated clock (Now,
// Advance, SetNow; frozen unless Options.Live). Each account's network is
// seeded from a seed, a number of sent invitations and a number of months:
// invitees with unique names and slugs (some non-ASCII), about half with a
// note, each with a fate drawn from the published data (37% accepted
// overall; of acceptances 63% within a day, 88% within a week, 99% within
// 30 days). An invitation is accepted when the clock passes its fate: it
// leaves the sent list and its invitee becomes a connection created at
// that time. Fates are applied lazily, on the next look at the account;
// moving the clock back does not undo them.
//
// Rules: only pending invitations can be withdrawn; a withdrawal starts a
// 21-day cool-down for that person; the weekly limit (100 free, 200
// premium) and the free plan's 5 notes a month count invitations sent
// through the API in the rolling 7 and 30 days (the seeded history is taken
// as already settled); notes are limited to 300 characters (200 free),
// counted in Unicode code points; 30,000 connections (listed ones plus
// AccountConfig.BackgroundConnections) stop invitations; pages hold at most
// 100; a collection ceiling makes listings stop after the newest N pending
// invitations even if more are pending (the summary still counts them all).
//
// # Authentication
//
// Cookies li_at and JSESSIONID, quoted or not, with or without a trailing
// "; ". The csrf-token header must equal JSESSIONID without quotes, else
// 403 "CSRF check failed." (text/plain); this is checked first. Then li_at
// must name an account and JSESSIONID must be that account's; otherwise
// session trouble: 401 {"status":401}, or (AccountConfig.SessionTrouble =
// TroubleRedirect) 302 to https://www.linkedin.com/login… with
// "Set-Cookie: li_at=delete me; Max-Age=0; …" and no body.
//
// # Replies the documents leave open (the sandbox's choices)
//
//   - Unknown paths, and call variants switched off with
//     AccountConfig.Removed / Account.SetRemoved: 404 {"status":404}. A
//     known path with the wrong method: 405 {"status":405}.
//   - Malformed requests (missing q, count outside 1..100, bad rest.li
//     syntax, wrong action): 400 {"status":400,"message":"…"}; a POST body
//     not sent as application/json: 415. Structural rest.li characters
//     ( ) , : must arrive unescaped; escaped, the value reads as plain text
//     and is refused.
//   - Withdrawing something not pending through
//     /relationships/invitations/<n>?action=withdraw or the Dash call:
//     400 {"data":{"code":"INVITATION_NOT_PENDING","status":400},"included":[]};
//     an unknown id: 404 {"status":404}. closeInvitations always answers 200
//     with per-urn codes 200 (withdrawn), 400 (not pending or malformed urn)
//     or 404 (unknown).
//   - The Dash withdraw needs the urn percent-encoded in the path
//     (urn%3Ali%3Afsd_invitation%3A<n>); unescaped colons get 400. Its
//     success, and accept/ignore of received invitations, answer
//     {"data":{"$type":"com.linkedin.restli.common.ActionResponse"},"included":[]}.
//   - Refused invitations answer {"data":{"code":C,"status":S},"included":[]}:
//     CANT_RESEND_YET 400, MAX_INVITATION_SENT 429,
//     CUSTOM_INVITE_LIMIT_REACHED 429, CANT_INVITE_CONNECTION_LIMIT_REACHED
//     400, and the sandbox's own CUSTOM_MESSAGE_TOO_LONG 400 (note over the
//     plan's limit), ALREADY_CONNECTED 400, INVITATION_ALREADY_PENDING 400.
//     An unknown profile id: 404 {"status":404}. Checks run in this order:
//     note length, profile, connected, pending, connection limit, cool-down,
//     weekly limit, notes a month.
//   - The legacy create POST /growth/normInvitations answers 201 with the
//     Dash create's body and an X-RestLi-Id header.
//   - The Dash listing's sentTimeLabel: "Sent today" under 24 hours, then
//     "Sent N day(s) ago" under 7 days, "N week(s)" under 30 days, "N
//     month(s)" (30-day months) under 365 days, then years.
//   - GraphQL listing: {"data":{"relationshipsDashSentInvitationViewsByInvitationType":
//     {"paging":{start,count},"elements":[…as Dash…]}},"included":[]}; a
//     queryId not starting voyagerRelationshipsDashSentInvitationViews. is
//     an unknown path (404).
//   - Received invitations (GET /relationships/invitationViews?q=receivedInvitation):
//     the legacy sent listing's normalized shape, with views
//     urn:li:fs_relInvitationView:<n> of $type …invitation.InvitationView,
//     Invitation records carrying "message" when there is a note, and the
//     inviter's MiniProfile. Accept/ignore check invitationId against the
//     path (400) and the shared secret (400); unknown ids get 404.
//   - Recent connections (GET /relationships/dash/connections?q=search&sortType=RECENTLY_ADDED):
//     {"data":{"paging":{"start","count"},"elements":[{"createdAt":<epoch ms>,
//     "connectedMember":"urn:li:fsd_profile:<id>","connectedMemberResolutionResult":
//     {"firstName","lastName","publicIdentifier","entityUrn","headline"}}]},"included":[]},
//     newest first. Background connections are counted, not listed.
//   - Only /me has a plain (non-normalized) shape; the other calls always
//     answer the normalized {data, included} envelope.
//
// # Faults
//
// Per account, settable at any time (Account.SetFaults, POST
// /_sandbox/faults), applied in this order before the CSRF check:
// Latency (wall time, honouring the request context); DropConnections
// (hijack and close, no reply); SoftBlock (999, "Request denied" HTML);
// SessionExpired (session trouble as configured); Challenge (302 to
// /checkpoint/challenge/… or 403 {"status":403,"code":"CHALLENGE",…});
// RateLimit (429 {"status":429,"message":"Too Many Requests"} with
// Retry-After once more than R requests fall in a sliding minute of
// simulated time); ServerErrors / ServerErrorRate (500 or
// ServerErrorStatus, {"status":N}). WithdrawReplyLost applies a withdrawal
// and then drops the connection, or answers WithdrawReplyLostStatus.
//
// # Use
//
// In Go tests: httptest.NewServer(sandbox.New(opts)) after AddAccount, and
// the inspection methods (PendingSent, Connections, Withdrawn, Received,
// RequestCount, Requests). Standalone: ListenAndServe (loopback only; it
// logs each account's cookies on start), driven by the admin API, JSON with
// Go duration strings:
//
//	GET  /_sandbox/state                       clock and accounts (cookies, counts, faults)
//	POST /_sandbox/clock     {"advance":"36h"} or {"set":"2026-07-01T09:00:00Z"}
//	POST /_sandbox/faults    {"account":"acct1","softBlock":true,"latency":"200ms",…}
//	POST /_sandbox/removed   {"account":"acct1","kinds":["sent-legacy"],"removed":true}
//	POST /_sandbox/accounts  {"key":"a2","premium":true,"sent":500,"months":3,"ceiling":1000,…}
//	GET  /_sandbox/pending?account=acct1       also connections, withdrawn, received
//	GET  /_sandbox/requests                    the request log
//
// A CLI would pass Options{Seed: seed, Ceiling: ceiling, Start: time.Now(),
// Live: true}, so that relative labels agree with the client's clock, and
// add its accounts with AccountConfig{SentInvitations: sent, Months: months}.
package sandbox
