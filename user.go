package unvite

import (
	"context"
	"time"
)

// User is a person who may sign in to the dashboard and use the API.
type User struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// PasswordHash is an argon2id hash in PHC form (see package password);
	// the password itself is never stored.
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// WebSession is a signed-in browser. The cookie carries a random token; only
// its SHA-256 hash is stored, so a leaked database opens no session.
type WebSession struct {
	Hash      []byte
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// APIToken is a personal token for the JSON API, stored as a hash like a
// WebSession. Write allows the changing calls (tag, protect); without it
// the token only reads.
type APIToken struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	Name      string    `json:"name"`
	Hash      []byte    `json:"-"`
	Write     bool      `json:"write"`
	CreatedAt time.Time `json:"created_at"`
}

// UserStore keeps the dashboard's users, browser sessions and API tokens.
// Every Store is one.
type UserStore interface {
	// CreateUser stores a new user (ECONFLICT when the name is taken) and
	// sets its ID and CreatedAt.
	CreateUser(ctx context.Context, u *User) error
	CountUsers(ctx context.Context) (int, error)
	User(ctx context.Context, id int64) (*User, error)
	UserByName(ctx context.Context, name string) (*User, error)
	SetPassword(ctx context.Context, userID int64, hash string) error

	CreateWebSession(ctx context.Context, s *WebSession) error
	// WebSession returns the session with this token hash; ENOTFOUND when
	// there is none or it expired before now.
	WebSession(ctx context.Context, hash []byte, now time.Time) (*WebSession, error)
	DeleteWebSession(ctx context.Context, hash []byte) error

	// CreateAPIToken stores a token and sets its ID and CreatedAt.
	CreateAPIToken(ctx context.Context, t *APIToken) error
	// APIToken finds a token by hash; ENOTFOUND when there is none.
	APIToken(ctx context.Context, hash []byte) (*APIToken, error)
	APITokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// DeleteAPIToken revokes one of a user's tokens; ENOTFOUND when the user
	// has no token with that id.
	DeleteAPIToken(ctx context.Context, userID, id int64) error
}

// Validate checks what every store requires of a user.
func (u *User) Validate() error {
	if u.Name == "" || len(u.Name) > 64 {
		return Errorf(EINVALID, "user name: want 1 to 64 characters")
	}
	if u.PasswordHash == "" {
		return Errorf(EINVALID, "user %s: a password hash is required", u.Name)
	}
	return nil
}
