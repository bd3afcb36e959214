package gateway

import "github.com/sealgate/sealgate/cryptolayer"

// Account is an authenticated account as the gateway needs it: an
// immutable snapshot of its key record. gateway/accounts provides them;
// the doors never see one (cmd hands them Namespaces).
type Account interface {
	// KeyRecord is the account's keys; never changed by anyone.
	KeyRecord() *cryptolayer.User
	// NamespaceKeys are the user's upstream dir and bucket-name cipher,
	// derived once per snapshot.
	NamespaceKeys() (dir string, buckets *cryptolayer.NameCipher)
}
