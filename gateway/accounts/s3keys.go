package accounts

import (
	"context"
	"slices"
	"time"

	"github.com/sealgate/sealgate/cryptolayer"
)

// S3KeyInfo describes one S3 access key pair of an account: never the
// secret.
type S3KeyInfo struct {
	AccessKeyID string
	Created     time.Time
	Original    bool // the pair made with the account (or by NewKeys)
}

// S3Keys lists the account's access key pairs, the original first.
func (a *Account) S3Keys() []S3KeyInfo {
	out := []S3KeyInfo{{AccessKeyID: a.u.AccessKeyID, Created: a.u.Created, Original: true}}
	if a.u.Settings != nil {
		for _, k := range a.u.Settings.S3Keys {
			out = append(out, S3KeyInfo{AccessKeyID: k.AccessKeyID, Created: k.Created})
		}
	}
	return out
}

// SecretFor returns a copy of the secret of one of the account's access
// key ids (the one ByAccessKey found it by), or nil.
func (a *Account) SecretFor(accessKeyID string) []byte {
	s, ok := a.u.S3Secret(accessKeyID)
	if !ok {
		return nil
	}
	return append([]byte(nil), s...)
}

// AddS3Key gives the account another access key pair (at most
// cryptolayer.MaxS3Keys extra) and returns it once; the caller wipes it.
func (a *Accounts) AddS3Key(ctx context.Context, name string) (Credentials, error) {
	c := Credentials{User: name}
	err := a.changeSettings(ctx, name, func(_ *cryptolayer.User, s *cryptolayer.AccountSettings) error {
		if len(s.S3Keys) >= cryptolayer.MaxS3Keys {
			return ErrTooMany
		}
		k := cryptolayer.NewS3Key(a.now().Truncate(time.Second))
		s.S3Keys = append(s.S3Keys, k)
		c.AccessKeyID, c.SecretAccessKey = k.AccessKeyID, append([]byte(nil), k.Secret...)
		return nil
	})
	if err != nil {
		c.Wipe()
		return Credentials{}, mapKeystoreErr(err)
	}
	return c, nil
}

// RevokeS3Key deletes an access key pair: refused here at once, on other
// gateways within a poll. An extra pair can always be revoked; the
// original pair only while an extra one exists, which then takes its
// place as the original (ErrLastKey otherwise: an account keeps one pair).
func (a *Accounts) RevokeS3Key(ctx context.Context, name, accessKeyID string) error {
	return a.changeSettings(ctx, name, func(u *cryptolayer.User, s *cryptolayer.AccountSettings) error {
		if u.AccessKeyID == accessKeyID {
			if len(s.S3Keys) == 0 {
				return ErrLastKey
			}
			clear(u.Secret)
			u.AccessKeyID, u.Secret = s.S3Keys[0].AccessKeyID, s.S3Keys[0].Secret
			s.S3Keys = slices.Delete(s.S3Keys, 0, 1)
			return nil
		}
		i := slices.IndexFunc(s.S3Keys, func(k cryptolayer.S3Key) bool { return k.AccessKeyID == accessKeyID })
		if i < 0 {
			return ErrNoSuchItem
		}
		s.S3Keys = slices.Delete(s.S3Keys, i, i+1)
		return nil
	})
}
