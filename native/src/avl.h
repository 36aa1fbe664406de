/* SPDX-License-Identifier: Apache-2.0 */
/* avl.h -- intrusive AVL tree ordering nodes by a caller's comparison (internal) */
#ifndef CELLAR_AVL_H
#define CELLAR_AVL_H 1

struct avl_link {
	struct avl_link *left, *right;
	int height;
};

/* <0, 0, >0 as a orders before, with, after b; keys must be unique */
typedef int avl_cmp_fn(const struct avl_link *a, const struct avl_link *b);

struct avl_link *avl_insert(struct avl_link *root, struct avl_link *node,
		avl_cmp_fn *cmp);
struct avl_link *avl_remove(struct avl_link *root, struct avl_link *node,
		avl_cmp_fn *cmp);
/* the first node not ordered before `probe`, or NULL */
struct avl_link *avl_ceil(struct avl_link *root, const struct avl_link *probe,
		avl_cmp_fn *cmp);
/* the last node not ordered after `probe`, or NULL */
struct avl_link *avl_floor(struct avl_link *root, const struct avl_link *probe,
		avl_cmp_fn *cmp);
/* the last node of the tree, or NULL */
struct avl_link *avl_last(struct avl_link *root);

#endif
