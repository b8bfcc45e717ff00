package linkedin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// document is a Voyager reply in either form: normalized
// ({"data":{...},"included":[...]}, objects referenced by "*key": urn) or
// plain (the object itself at the top level, nested objects inline).
type document struct {
	data     map[string]json.RawMessage // "data", or the top level of a plain reply
	dataRaw  json.RawMessage            // the same, undecoded
	included map[string]json.RawMessage // included[] by entityUrn
}

func parseDocument(body []byte) (*document, error) {
	var top map[string]json.RawMessage
	if err := decodeStrict(body, &top); err != nil {
		return nil, err
	}
	if top == nil {
		return nil, errors.New("reply is not a JSON object")
	}
	d := &document{data: top, dataRaw: body, included: map[string]json.RawMessage{}}
	if raw, ok := top["data"]; ok && isObject(raw) {
		if err := json.Unmarshal(raw, &d.data); err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		d.dataRaw = raw
	}
	if raw, ok := top["included"]; ok && !isNull(raw) {
		var inc []json.RawMessage
		if err := json.Unmarshal(raw, &inc); err != nil {
			return nil, fmt.Errorf("included: %w", err)
		}
		for _, item := range inc {
			var id struct {
				URN string `json:"entityUrn"`
			}
			if err := json.Unmarshal(item, &id); err == nil && id.URN != "" {
				d.included[id.URN] = item
			}
		}
	}
	return d, nil
}

// decodeData decodes the data object (or a plain reply) into v.
func (d *document) decodeData(v any) error {
	return json.Unmarshal(d.dataRaw, v)
}

// decodeStrict unmarshals body, rejecting trailing data.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode JSON: %w", err)
	}
	if dec.More() {
		return errors.New("decode JSON: trailing data after the reply")
	}
	return nil
}

func isObject(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '{'
}

func isNull(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// entity decodes the included object urn into v, checking its $type when
// both it and want are set.
func (d *document) entity(urn, want string, v any) error {
	raw, ok := d.included[urn]
	if !ok {
		return fmt.Errorf("%s not in included[]", urn)
	}
	return decodeTyped(raw, want, v)
}

// decodeTyped decodes raw into v after checking its $type against want.
func decodeTyped(raw json.RawMessage, want string, v any) error {
	var t struct {
		Type string `json:"$type"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return err
	}
	if want != "" && t.Type != "" && t.Type != want {
		return fmt.Errorf("$type %q, want %q", t.Type, want)
	}
	return json.Unmarshal(raw, v)
}

// elements returns a collection's members from obj: inline under
// "elements", or resolved from the urns under "*elements". ok is false when
// obj has neither.
// parseElements parses a reply whose data lists its results as elements.
func parseElements(body []byte) (*document, []json.RawMessage, error) {
	d, err := parseDocument(body)
	if err != nil {
		return nil, nil, err
	}
	elems, ok, err := d.elements(d.data)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, errors.New("no elements")
	}
	return d, elems, nil
}

func (d *document) elements(obj map[string]json.RawMessage) (elems []json.RawMessage, ok bool, err error) {
	if raw, has := obj["elements"]; has {
		if err := json.Unmarshal(raw, &elems); err != nil {
			return nil, true, fmt.Errorf("elements: %w", err)
		}
		return elems, true, nil
	}
	raw, has := obj["*elements"]
	if !has {
		return nil, false, nil
	}
	var urns []string
	if err := json.Unmarshal(raw, &urns); err != nil {
		return nil, true, fmt.Errorf("*elements: %w", err)
	}
	for _, u := range urns {
		item, found := d.included[u]
		if !found {
			return nil, true, fmt.Errorf("*elements: %s not in included[]", u)
		}
		elems = append(elems, item)
	}
	return elems, true, nil
}

// errorCode digs LinkedIn's error code out of a body: data.code, or code
// at the top level. "" when there is none.
func errorCode(body []byte) string {
	var v struct {
		Code string `json:"code"`
		Data struct {
			Code string `json:"code"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	if v.Data.Code != "" {
		return v.Data.Code
	}
	return v.Code
}

// urnNumber returns the trailing id of urn when urn has the given type
// ("fs_relInvitation" for urn:li:fs_relInvitation:<n>) and the id is a
// decimal number.
func urnNumber(urn, typ string) (string, bool) {
	n, ok := strings.CutPrefix(urn, "urn:li:"+typ+":")
	return n, ok && isDigits(n)
}

func isDigits(s string) bool {
	if s == "" || len(s) > 30 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// invitationNumber accepts an invitation id as a number or any of the urns
// LinkedIn names it by.
func invitationNumber(id string) (string, bool) {
	id = strings.TrimSpace(id)
	if isDigits(id) {
		return id, true
	}
	for _, typ := range []string{"fs_relInvitation", "fsd_invitation", "invitation", "fs_relSentInvitationView"} {
		if n, ok := urnNumber(id, typ); ok {
			return n, true
		}
	}
	return "", false
}

// normalizeSlug lower-cases and percent-decodes a publicIdentifier.
func normalizeSlug(s string) string {
	s = strings.TrimSpace(s)
	if dec, err := url.PathUnescape(s); err == nil {
		s = dec
	}
	return strings.ToLower(s)
}

func fullName(first, last string) string {
	return strings.Join(strings.Fields(first+" "+last), " ")
}
