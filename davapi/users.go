package davapi

import (
	"container/list"
	"sync"
)

// userCache keeps one userDoor per user name, created lazily, least recently
// used evicted beyond max (its locks are dropped with it).
type userCache struct {
	mu    sync.Mutex
	max   int
	make  func(string) *userDoor
	order *list.List // front: most recent; values: *userEntry
	byKey map[string]*list.Element
}

type userEntry struct {
	name string
	door *userDoor
}

func newUserCache(maxUsers int, mk func(string) *userDoor) *userCache {
	return &userCache{max: maxUsers, make: mk, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *userCache) get(name string) *userDoor {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[name]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*userEntry).door
	}
	d := c.make(name)
	c.byKey[name] = c.order.PushFront(&userEntry{name: name, door: d})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*userEntry).name)
	}
	return d
}
