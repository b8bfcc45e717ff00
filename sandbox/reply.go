package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

const (
	normalizedType = "application/vnd.linkedin.normalized+json+2.1"
	jsonType       = "application/json"
)

// data.code values of refused invitations. The first four are LinkedIn's
// (LINKEDIN.md); the others are the sandbox's own choice, documented in
// doc.go.
const (
	codeCantResendYet     = "CANT_RESEND_YET"
	codeCustomInviteLimit = "CUSTOM_INVITE_LIMIT_REACHED"
	codeWeeklyLimit       = "MAX_INVITATION_SENT"
	codeConnectionLimit   = "CANT_INVITE_CONNECTION_LIMIT_REACHED"
	codeNoteTooLong       = "CUSTOM_MESSAGE_TOO_LONG"
	codeAlreadyConnected  = "ALREADY_CONNECTED"
	codeAlreadyPending    = "INVITATION_ALREADY_PENDING"
	codeNotPending        = "INVITATION_NOT_PENDING"
)

// softBlockHTML is LinkedIn's "Request denied" page (status 999).
const softBlockHTML = `<html><head><title>Request denied</title></head><body><h1>Request denied</h1><p>We have detected unusual activity from your device.</p></body></html>`

// reply is a complete answer, built before anything is written so that the
// fault layer can still throw it away.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r *reply) write(w http.ResponseWriter) {
	for k, vs := range r.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(r.status)
	w.Write(r.body)
}

// jsonReply encodes v without HTML escaping, as LinkedIn's servers do.
func jsonReply(status int, contentType string, v any) *reply {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("sandbox: encode reply: %v", err)) // only our own types are encoded
	}
	h := http.Header{}
	h.Set("Content-Type", contentType)
	h.Set("X-Restli-Protocol-Version", "2.0.0")
	return &reply{status: status, header: h, body: b.Bytes()}
}

// normalized wraps data in the {data, included} envelope of the normalized
// JSON type.
func normalized(status int, data any, included []any) *reply {
	if included == nil {
		included = []any{}
	}
	return jsonReply(status, normalizedType, map[string]any{"data": data, "included": included})
}

// statusReply is the bare {"status":N} body LinkedIn answers to unknown
// paths and the like.
func statusReply(status int) *reply {
	return jsonReply(status, jsonType, map[string]any{"status": status})
}

// messageReply is {"status":N,"message":"…"}, used for malformed requests.
func messageReply(status int, format string, args ...any) *reply {
	return jsonReply(status, jsonType, map[string]any{"status": status, "message": fmt.Sprintf(format, args...)})
}

// codeReply is the {"data":{"code","status"},"included":[]} error of the
// invitation calls.
func codeReply(status int, code string) *reply {
	return normalized(status, map[string]any{"code": code, "status": status}, nil)
}

func textReply(status int, contentType, body string) *reply {
	h := http.Header{}
	h.Set("Content-Type", contentType)
	return &reply{status: status, header: h, body: []byte(body)}
}

func csrfReply() *reply { return textReply(http.StatusForbidden, "text/plain", "CSRF check failed.") }

func softBlockReply() *reply { return textReply(999, "text/html; charset=utf-8", softBlockHTML) }

func rateLimitedReply(retryAfter int) *reply {
	r := jsonReply(http.StatusTooManyRequests, jsonType,
		map[string]any{"status": http.StatusTooManyRequests, "message": "Too Many Requests"})
	r.header.Set("Retry-After", strconv.Itoa(retryAfter))
	return r
}

// sessionTroubleReply is how LinkedIn turns away a dead session.
func sessionTroubleReply(t SessionTrouble) *reply {
	if t == TroubleRedirect {
		h := http.Header{}
		h.Set("Location", "https://www.linkedin.com/login?fromSignIn=true&trk=sandbox")
		h.Add("Set-Cookie", "li_at=delete me; Max-Age=0; Path=/; Domain=.www.linkedin.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly")
		return &reply{status: http.StatusFound, header: h}
	}
	return statusReply(http.StatusUnauthorized)
}

// challengeReply is a security checkpoint.
func challengeReply(c Challenge, profileID string) *reply {
	if c == ChallengeRedirect {
		h := http.Header{}
		h.Set("Location", "https://www.linkedin.com/checkpoint/challenge/AgFsandbox"+profileID+"?ut=sandbox")
		return &reply{status: http.StatusFound, header: h}
	}
	return jsonReply(http.StatusForbidden, jsonType,
		map[string]any{"status": http.StatusForbidden, "code": "CHALLENGE", "message": "CHALLENGE: verify it is you"})
}

// actionOK is the body of successful actions whose LinkedIn reply is not
// documented (Dash withdraw, accept, ignore).
func actionOK() *reply {
	return normalized(http.StatusOK, map[string]any{"$type": "com.linkedin.restli.common.ActionResponse"}, nil)
}
