package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/unvite/unvite"
)

// foreignKeyViolation is the SQLSTATE of a missing referenced row.
const foreignKeyViolation = "23503"

// CreateUser stores a new dashboard user.
func (s *DB) CreateUser(ctx context.Context, u *unvite.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	u.CreatedAt = s.now()
	err := s.pool.QueryRow(ctx, `INSERT INTO users (name, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id`,
		u.Name, u.PasswordHash, u.CreatedAt).Scan(&u.ID)
	if err != nil {
		if pgCode(err) == uniqueViolation {
			return unvite.Errorf(unvite.ECONFLICT, "a user named %s exists already", u.Name)
		}
		return fmt.Errorf("postgres: create user: %w", err)
	}
	return nil
}

// CountUsers counts the dashboard's users.
func (s *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count users: %w", err)
	}
	return n, nil
}

// User returns a user by id.
func (s *DB) User(ctx context.Context, id int64) (*unvite.User, error) {
	return s.findUser(ctx, "id = $1", id)
}

// UserByName returns a user by name.
func (s *DB) UserByName(ctx context.Context, name string) (*unvite.User, error) {
	return s.findUser(ctx, "name = $1", name)
}

func (s *DB) findUser(ctx context.Context, where string, arg any) (*unvite.User, error) {
	var u unvite.User
	err := s.pool.QueryRow(ctx, `SELECT id, name, password_hash, created_at FROM users WHERE `+where, arg).
		Scan(&u.ID, &u.Name, &u.PasswordHash, &u.CreatedAt)
	if isNoRows(err) {
		return nil, notFound("user", arg)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: user %v: %w", arg, err)
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

// SetPassword replaces a user's password hash.
func (s *DB) SetPassword(ctx context.Context, userID int64, hash string) error {
	if hash == "" {
		return unvite.Errorf(unvite.EINVALID, "user %d: a password hash is required", userID)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)
	if err != nil {
		return fmt.Errorf("postgres: set password of user %d: %w", userID, err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("user", userID)
	}
	return nil
}

// CreateWebSession stores a browser session; expired ones go at the same time.
func (s *DB) CreateWebSession(ctx context.Context, ws *unvite.WebSession) error {
	if len(ws.Hash) == 0 || ws.ExpiresAt.IsZero() {
		return unvite.Errorf(unvite.EINVALID, "web session: hash and expiry are required")
	}
	ws.CreatedAt = s.now()
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM web_sessions WHERE expires_at <= $1`, ws.CreatedAt); err != nil {
			return fmt.Errorf("postgres: expire web sessions: %w", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO web_sessions (hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			ws.Hash, ws.UserID, ws.CreatedAt, sec(ws.ExpiresAt))
		if err != nil {
			if pgCode(err) == foreignKeyViolation {
				return notFound("user", ws.UserID)
			}
			return fmt.Errorf("postgres: create web session: %w", err)
		}
		return nil
	})
}

// WebSession finds a live session by token hash.
func (s *DB) WebSession(ctx context.Context, hash []byte, now time.Time) (*unvite.WebSession, error) {
	ws := unvite.WebSession{Hash: hash}
	var created, expires pgtype.Timestamptz
	err := s.pool.QueryRow(ctx, `SELECT user_id, created_at, expires_at FROM web_sessions WHERE hash = $1 AND expires_at > $2`,
		hash, sec(now)).Scan(&ws.UserID, &created, &expires)
	if isNoRows(err) {
		return nil, unvite.Errorf(unvite.ENOTFOUND, "no such session")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: web session: %w", err)
	}
	ws.CreatedAt, ws.ExpiresAt = fromTS(created), fromTS(expires)
	return &ws, nil
}

// DeleteWebSession ends a session; ending one that is gone is no error.
func (s *DB) DeleteWebSession(ctx context.Context, hash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM web_sessions WHERE hash = $1`, hash); err != nil {
		return fmt.Errorf("postgres: delete web session: %w", err)
	}
	return nil
}

// CreateAPIToken stores a personal API token.
func (s *DB) CreateAPIToken(ctx context.Context, t *unvite.APIToken) error {
	if strings.TrimSpace(t.Name) == "" || len(t.Hash) == 0 {
		return unvite.Errorf(unvite.EINVALID, "API token: a name is required")
	}
	t.CreatedAt = s.now()
	err := s.pool.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, hash, write, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		t.UserID, t.Name, t.Hash, t.Write, t.CreatedAt).Scan(&t.ID)
	if err != nil {
		if pgCode(err) == foreignKeyViolation {
			return notFound("user", t.UserID)
		}
		return fmt.Errorf("postgres: create API token: %w", err)
	}
	return nil
}

const tokenColumns = `id, user_id, name, hash, write, created_at`

func scanToken(row pgx.Row) (*unvite.APIToken, error) {
	var t unvite.APIToken
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.Write, &t.CreatedAt); err != nil {
		return nil, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return &t, nil
}

// APIToken finds a token by hash.
func (s *DB) APIToken(ctx context.Context, hash []byte) (*unvite.APIToken, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = $1`, hash))
	if isNoRows(err) {
		return nil, unvite.Errorf(unvite.ENOTFOUND, "no such API token")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: API token: %w", err)
	}
	return t, nil
}

// APITokens lists a user's tokens, oldest first.
func (s *DB) APITokens(ctx context.Context, userID int64) ([]*unvite.APIToken, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("postgres: API tokens of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []*unvite.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: API tokens of user %d: %w", userID, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteAPIToken revokes a user's token.
func (s *DB) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return fmt.Errorf("postgres: delete API token %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("API token", id)
	}
	return nil
}
