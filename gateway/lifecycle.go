package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Lifecycle configuration (S3's bucket lifecycle rules). A bucket's rules
// are a shared record ("bucket lifecycle\x00<bucket>": the bucket's
// creation time, 8 bytes, then the rules as JSON), so that every gateway
// applies the same ones and a bucket created again has none. They are
// applied by ApplyLifecycle (lifecycle_run.go), which the gateways run in
// the background.

// LifecycleRule is one rule: a filter and its actions. Ages are whole
// days of 24 hours since the version's modification time (S3 rounds to
// the next midnight UTC; sealgate does not).
type LifecycleRule struct {
	ID      string `json:"id,omitempty"`
	Enabled bool   `json:"on"`
	// The filter: keys under Prefix whose tags include every one of Tags.
	Prefix string `json:"p,omitempty"`
	Tags   Tags   `json:"t,omitempty"`
	// Expiration of current versions: after ExpireDays, or from ExpireDate.
	ExpireDays int       `json:"ed,omitempty"`
	ExpireDate time.Time `json:"et,omitzero"`
	// ExpiredDeleteMarker removes a delete marker left with no other
	// version of its key.
	ExpiredDeleteMarker bool `json:"em,omitempty"`
	// NoncurrentDays removes a version that many days after it became
	// noncurrent, keeping the NewerNoncurrent newest noncurrent ones.
	NoncurrentDays  int `json:"nd,omitempty"`
	NewerNoncurrent int `json:"nn,omitempty"`
	// AbortUploadDays aborts multipart uploads started that long ago.
	AbortUploadDays int `json:"ad,omitempty"`
}

// ErrNoSuchLifecycle is the error for a bucket without lifecycle rules.
var ErrNoSuchLifecycle = errors.New("gateway: no lifecycle configuration")

const (
	maxLifecycleRules = 1000
	lifecycleShare    = "bucket lifecycle\x00"
)

// CheckLifecycle validates rules as S3 does.
func CheckLifecycle(rules []LifecycleRule) error {
	if len(rules) == 0 || len(rules) > maxLifecycleRules {
		return fmt.Errorf("%w: %d lifecycle rules", ErrInvalidArgument, len(rules))
	}
	ids := map[string]bool{}
	for _, r := range rules {
		if len(r.ID) > 255 || (r.ID != "" && ids[r.ID]) {
			return fmt.Errorf("%w: rule ID %q too long or repeated", ErrInvalidArgument, r.ID)
		}
		ids[r.ID] = true
		if err := checkRule(r); err != nil {
			return err
		}
	}
	return nil
}

func checkRule(r LifecycleRule) error {
	switch {
	case r.ExpireDays < 0 || r.NoncurrentDays < 0 || r.AbortUploadDays < 0 || r.NewerNoncurrent < 0:
		return fmt.Errorf("%w: a lifecycle period must be a positive integer", ErrInvalidArgument)
	case r.ExpireDays > 0 && !r.ExpireDate.IsZero():
		return fmt.Errorf("%w: Expiration with both Days and Date", ErrInvalidArgument)
	case r.ExpiredDeleteMarker && (r.ExpireDays > 0 || !r.ExpireDate.IsZero()):
		return fmt.Errorf("%w: ExpiredObjectDeleteMarker with Days or Date", ErrInvalidArgument)
	case r.ExpireDays == 0 && r.ExpireDate.IsZero() && !r.ExpiredDeleteMarker && r.NoncurrentDays == 0 && r.AbortUploadDays == 0:
		return fmt.Errorf("%w: a lifecycle rule needs at least one action", ErrInvalidArgument)
	case r.AbortUploadDays > 0 && len(r.Tags) > 0:
		return fmt.Errorf("%w: AbortIncompleteMultipartUpload cannot have a tag filter", ErrInvalidArgument)
	}
	return CheckTags(r.Tags, MaxObjectTags)
}

// GetBucketLifecycle implements Namespace.
func (n *userNS) GetBucketLifecycle(ctx context.Context, bucket string) ([]LifecycleRule, error) {
	data, err := n.getBucketShared(ctx, bucket, lifecycleShare)
	if err != nil {
		return nil, err
	}
	if data == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoSuchLifecycle, bucket)
	}
	var rules []LifecycleRule
	if err := json.Unmarshal(data, &rules); err != nil {
		return nil, fmt.Errorf("%w: lifecycle record: %w", ErrIntegrity, err)
	}
	return rules, nil
}

// PutBucketLifecycle implements Namespace: no rules removes the
// configuration.
func (n *userNS) PutBucketLifecycle(ctx context.Context, bucket string, rules []LifecycleRule) error {
	var value []byte
	if len(rules) > 0 {
		if err := CheckLifecycle(rules); err != nil {
			return err
		}
		js, err := json.Marshal(rules)
		if err != nil {
			return err
		}
		value = js
	}
	return n.putBucketShared(ctx, bucket, lifecycleShare, value)
}

// matches reports whether a key (with its tags, read only when the rule
// filters on them) falls under the rule.
func (r LifecycleRule) matches(key string, tags func() (Tags, error)) (bool, error) {
	if !r.Enabled || !strings.HasPrefix(key, r.Prefix) {
		return false, nil
	}
	if len(r.Tags) == 0 {
		return true, nil
	}
	have, err := tags()
	if err != nil {
		return false, err
	}
	for k, v := range r.Tags {
		if got, ok := have[k]; !ok || got != v {
			return false, nil
		}
	}
	return true, nil
}

// days is n whole days.
func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }
