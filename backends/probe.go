package backends

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
)

// CheckConditional probes whether s enforces conditional puts, as the
// shared state of several gateways on one upstream needs (compare-and-swap
// on the ETag). It writes under key, which the caller takes in its reserved
// area and nothing else uses (".sealgate/probe/<random>"), a fresh random
// body each time:
//
//  1. Put IfAbsent must succeed;
//  2. a second Put IfAbsent must fail with ErrPreconditionFailed;
//  3. Put IfMatch with a wrong ETag must fail with ErrPreconditionFailed;
//  4. Put IfMatch with the ETag of step 1 must succeed;
//  5. Delete removes the object.
//
// When step 2 or 3 succeeds, the error wraps [ErrNoConditionalWrites] and
// says which condition was ignored. Any other failure (ErrUnavailable, a
// refused step 4, an object already under key in step 1) is returned
// wrapped with the step, its sentinel kept. Once step 1 has succeeded the
// object is deleted whatever happens, as far as the store allows.
func CheckConditional(ctx context.Context, s Store, key string) (err error) {
	first, err := probePut(ctx, s, key, PutOptions{IfAbsent: true})
	if err != nil {
		return fmt.Errorf("backends: conditional-write probe: Put IfAbsent of the new key %q: %w", key, err)
	}
	defer func() {
		if err != nil {
			_ = s.Delete(ctx, key) // the probe already failed; its error says why
		}
	}()
	steps := []struct {
		what    string
		opts    PutOptions
		refused bool // the store must refuse this put
	}{
		{"Put IfAbsent of an existing key", PutOptions{IfAbsent: true}, true},
		{"Put IfMatch with a wrong ETag", PutOptions{IfMatch: rand.Text()}, true},
		{"Put IfMatch with the current ETag", PutOptions{IfMatch: first.ETag}, false},
	}
	for _, st := range steps {
		_, err := probePut(ctx, s, key, st.opts)
		switch {
		case st.refused && err == nil:
			return fmt.Errorf("%w: %s %q succeeded", ErrNoConditionalWrites, st.what, key)
		case st.refused && errors.Is(err, ErrPreconditionFailed):
		case err != nil:
			return fmt.Errorf("backends: conditional-write probe: %s %q: %w", st.what, key, err)
		}
	}
	if err := s.Delete(ctx, key); err != nil {
		return fmt.Errorf("backends: conditional-write probe: Delete %q: %w", key, err)
	}
	return nil
}

// probePut puts a fresh random body under key.
func probePut(ctx context.Context, s Store, key string, opts PutOptions) (ObjectInfo, error) {
	body := []byte(rand.Text())
	return s.Put(ctx, key, bytes.NewReader(body), int64(len(body)), opts)
}
