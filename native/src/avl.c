/* SPDX-License-Identifier: Apache-2.0 */
/* avl.c -- intrusive AVL tree (free space of the heap is kept in two of them) */
#include "avl.h"

#include <stddef.h>

static inline int
height(const struct avl_link *n)
{
	return n ? n->height : 0;
}

static inline void
update(struct avl_link *n)
{
	int l = height(n->left), r = height(n->right);
	n->height = (l > r ? l : r) + 1;
}

/*
 * rotate_right -- lifts n's left child over n (internal)
 */
static struct avl_link *
rotate_right(struct avl_link *n)
{
	struct avl_link *l = n->left;
	n->left = l->right;
	l->right = n;
	update(n);
	update(l);
	return l;
}

/*
 * rotate_left -- lifts n's right child over n (internal)
 */
static struct avl_link *
rotate_left(struct avl_link *n)
{
	struct avl_link *r = n->right;
	n->right = r->left;
	r->left = n;
	update(n);
	update(r);
	return r;
}

/*
 * balance -- restores the AVL property at n after a child changed (internal)
 */
static struct avl_link *
balance(struct avl_link *n)
{
	update(n);
	int b = height(n->left) - height(n->right);
	if (b > 1) {
		if (height(n->left->left) < height(n->left->right))
			n->left = rotate_left(n->left);
		return rotate_right(n);
	}
	if (b < -1) {
		if (height(n->right->right) < height(n->right->left))
			n->right = rotate_right(n->right);
		return rotate_left(n);
	}
	return n;
}

/*
 * avl_insert -- adds node; returns the new root
 */
struct avl_link *
avl_insert(struct avl_link *root, struct avl_link *node, avl_cmp_fn *cmp)
{
	if (root == NULL) {
		node->left = node->right = NULL;
		node->height = 1;
		return node;
	}
	if (cmp(node, root) < 0)
		root->left = avl_insert(root->left, node, cmp);
	else
		root->right = avl_insert(root->right, node, cmp);
	return balance(root);
}

/*
 * remove_min -- unlinks the smallest node of t, stored in *min (internal)
 */
static struct avl_link *
remove_min(struct avl_link *t, struct avl_link **min)
{
	if (t->left == NULL) {
		*min = t;
		return t->right;
	}
	t->left = remove_min(t->left, min);
	return balance(t);
}

/*
 * avl_remove -- unlinks node, which must be in the tree; returns the new root
 */
struct avl_link *
avl_remove(struct avl_link *root, struct avl_link *node, avl_cmp_fn *cmp)
{
	if (root == NULL)
		return NULL;
	int c = root == node ? 0 : cmp(node, root);
	if (c < 0) {
		root->left = avl_remove(root->left, node, cmp);
	} else if (c > 0) {
		root->right = avl_remove(root->right, node, cmp);
	} else {
		struct avl_link *l = root->left, *r = root->right;
		if (r == NULL)
			return l;
		struct avl_link *m;
		r = remove_min(r, &m);
		m->left = l;
		m->right = r;
		return balance(m);
	}
	return balance(root);
}

/*
 * avl_ceil -- the first node ordered at or after probe
 */
struct avl_link *
avl_ceil(struct avl_link *root, const struct avl_link *probe, avl_cmp_fn *cmp)
{
	struct avl_link *best = NULL;
	while (root) {
		if (cmp(root, probe) >= 0) {
			best = root;
			root = root->left;
		} else {
			root = root->right;
		}
	}
	return best;
}

/*
 * avl_floor -- the last node ordered at or before probe
 */
struct avl_link *
avl_floor(struct avl_link *root, const struct avl_link *probe, avl_cmp_fn *cmp)
{
	struct avl_link *best = NULL;
	while (root) {
		if (cmp(root, probe) <= 0) {
			best = root;
			root = root->right;
		} else {
			root = root->left;
		}
	}
	return best;
}

/*
 * avl_last -- the rightmost node
 */
struct avl_link *
avl_last(struct avl_link *root)
{
	if (root)
		while (root->right)
			root = root->right;
	return root;
}
