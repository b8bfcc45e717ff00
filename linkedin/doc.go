// Package linkedin is unvite's client for LinkedIn's internal web API
// ("Voyager", under /voyager/api/), driven with a member's browser session.
//
// LinkedIn publishes no API for invitations and changes this one without
// notice, so each call lives in one place, tries the known variants in a
// fixed order, remembers the one that worked, and treats any reply it does
// not understand as an error, never as success. Failures the rest of the
// program acts on (session expired, challenge, rate limit, soft block, ...)
// are sentinel errors usable with errors.Is; *Error carries the details.
//
// One Client serves one account: it keeps one request in flight at a time
// and spaces requests by MinGap plus a random jitter. The session cookies
// never appear in errors, logs or formatted values.
package linkedin
