package linkedin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// maxBody bounds a reply; a page of 100 invitations is far smaller.
const maxBody = 16 << 20

// call is one request, as the call sites describe it.
type call struct {
	op     string // for errors: "list sent invitations (legacy)"
	method string
	path   string // under /voyager/api, raw query included and already encoded
	body   any    // marshalled as JSON when not nil
}

// reply is a 2xx, non-HTML reply.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request under the pacing rules and classifies the reply.
// Errors are *Error, except a done ctx, which comes back wrapped as is.
func (c *Client) do(ctx context.Context, cl call) (*reply, error) {
	var payload []byte
	if cl.body != nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // as a browser's JSON.stringify
		if err := enc.Encode(cl.body); err != nil {
			return nil, fmt.Errorf("linkedin: %s: encode body: %w", cl.op, err)
		}
		payload = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	pathOnly, _, _ := strings.Cut(cl.path, "?")
	fail := func(e *Error) error {
		e.Op, e.Method, e.Path = cl.op, cl.method, "/voyager/api"+pathOnly
		return e
	}

	if err := c.acquire(ctx); err != nil {
		return nil, fmt.Errorf("linkedin: %s: %w", cl.op, err)
	}
	defer c.release()

	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, c.base+cl.path, body)
	if err != nil {
		return nil, fmt.Errorf("linkedin: %s: %w", cl.op, err)
	}
	c.setHeaders(req, payload != nil)

	c.requests.Add(1)
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("linkedin: %s: %w", cl.op, ctx.Err())
		}
		c.logRequest(ctx, cl, pathOnly, 0, start, err)
		return nil, fail(&Error{Kind: ErrUnexpected, Err: err, temporary: true})
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("linkedin: %s: %w", cl.op, ctx.Err())
		}
		c.logRequest(ctx, cl, pathOnly, resp.StatusCode, start, err)
		return nil, fail(&Error{Kind: ErrUnexpected, Status: resp.StatusCode, Err: fmt.Errorf("read reply: %w", err), temporary: true})
	}
	c.logRequest(ctx, cl, pathOnly, resp.StatusCode, start, nil)
	if len(data) > maxBody {
		return nil, fail(&Error{Kind: ErrUnexpected, Status: resp.StatusCode, Err: fmt.Errorf("reply larger than %d bytes", maxBody)})
	}
	if e := c.classify(resp, data); e != nil {
		return nil, fail(e)
	}
	return &reply{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// shapeError reports a 2xx reply this client does not understand.
func (c *Client) shapeError(cl call, rep *reply, err error) error {
	pathOnly, _, _ := strings.Cut(cl.path, "?")
	return &Error{
		Kind: ErrUnexpected, Op: cl.op, Method: cl.method, Path: "/voyager/api" + pathOnly,
		Status: rep.status, Err: fmt.Errorf("unknown reply shape: %w", err),
		Snippet: c.snippet(rep.body), shape: true,
	}
}

// setHeaders sets exactly what working clients send; nothing more.
func (c *Client) setHeaders(req *http.Request, hasBody bool) {
	h := req.Header
	h.Set("Cookie", c.creds().cookie)
	h.Set("Csrf-Token", c.creds().csrf)
	h.Set("X-Restli-Protocol-Version", "2.0.0")
	h.Set("X-Li-Lang", "en_US")
	h.Set("Accept", "application/vnd.linkedin.normalized+json+2.1")
	h.Set("User-Agent", c.userAgent)
	h.Set("Accept-Language", c.acceptLng)
	if hasBody {
		h.Set("Content-Type", "application/json")
	}
}

func (c *Client) logRequest(ctx context.Context, cl call, path string, status int, start time.Time, err error) {
	if c.log == nil {
		return
	}
	args := []any{"op", cl.op, "method", cl.method, "path", "/voyager/api" + path,
		"status", status, "took", time.Since(start).Round(time.Millisecond)}
	if err != nil {
		args = append(args, "err", err.Error())
	}
	c.log.DebugContext(ctx, "linkedin request", args...)
}

// acquire takes the one request slot and waits out the gap since the
// previous request ended. Both waits end early with ctx.
func (c *Client) acquire(ctx context.Context) error {
	select {
	case c.slot <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if !c.nextAt.IsZero() {
		if d := c.nextAt.Sub(c.now()); d > 0 {
			if err := c.sleep(ctx, d); err != nil {
				<-c.slot
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		<-c.slot
		return err
	}
	return nil
}

// release ends a request: the next may start after MinGap + rand[0, Jitter).
func (c *Client) release() {
	gap := c.minGap
	if c.jitter > 0 {
		gap += rand.N(c.jitter)
	}
	c.nextAt = c.now().Add(gap)
	<-c.slot
}
