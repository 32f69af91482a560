// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz_test.c - a netlink fuzzer for the crs generic netlink family.
 *
 * Each iteration takes a valid request (every command, with attributes as a
 * real crs-tool load would send them: table heads, defaults, file and
 * execute rules with plain and glob patterns, container overrides, GET_TABLE
 * doit and dump), mutates it as a tree (attribute types, payload lengths and
 * bytes, nesting, order, duplicated, dropped and unknown attributes), then
 * sometimes as bytes (attribute headers, truncation, genl header, random
 * flips), and sends it with random netlink flags; now and then two requests
 * go in one datagram. Every request must be answered: an ack or an error
 * (errno within range, a NUL-terminated extack message if any) or well
 * formed replies ending with NLMSG_DONE, within SO_RCVTIMEO; a silent
 * request or a malformed reply fails the test.
 *
 * Safety for the rest of the suite: CRS_A_CGROUP_ID values are the ids of a
 * sacrificial cgroup and its child, or values that are not the id of any
 * cgroup that exists (the tree under /sys/fs/cgroup is read first). Every
 * top-level CRS_A_CGROUP_ID of the final bytes is checked, as the kernel will
 * parse them, and rewritten to the sacrificial id if it names any other
 * existing cgroup (the root cgroup is id 1). Afterwards every table the run
 * created is deleted.
 *
 * Then the module must still work: GET_STATUS answers, and a valid SET_TABLE
 * on the sacrificial cgroup denies an open to a task in its child cgroup.
 *
 * Environment: CRS_FUZZ_ITERS (default 100000), CRS_FUZZ_SEED (default: from
 * the clock; printed), CRS_FUZZ_VERBOSE=1 prints a histogram of the answers.
 */
#include "crs_rawnl.h"

#include <poll.h>
#include <sys/time.h>

#define NLF_BUF		(1 << 16)
#define NLF_MAXKIDS	48
#define NLF_MAXDATA	1400

/* ---------------------------------------------------------- random bits */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

/* true with probability @pct percent */
static bool chance(uint32_t pct)
{
	return rnd(100) < pct;
}

/* ----------------------------------------------------- cgroup id safety */

static uint64_t *existing_ids;
static size_t n_existing, cap_existing;
static uint64_t sac_id, sac_child_id;

static int collect_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	uint64_t id;

	if (flag != FTW_D)
		return 0;
	if (crs_cgroup_id(path, &id))
		return 0;
	if (n_existing == cap_existing) {
		cap_existing = cap_existing ? 2 * cap_existing : 256;
		existing_ids = realloc(existing_ids, cap_existing * sizeof(*existing_ids));
		if (!existing_ids)
			abort();
	}
	existing_ids[n_existing++] = id;
	return 0;
}

static bool id_exists(uint64_t id)
{
	size_t i;

	if (id == 1)	/* the root cgroup, whatever the walk found */
		return true;
	for (i = 0; i < n_existing; i++)
		if (existing_ids[i] == id)
			return true;
	return false;
}

static bool id_allowed(uint64_t id)
{
	return id == sac_id || id == sac_child_id || !id_exists(id);
}

static uint64_t pick_id(void)
{
	uint64_t id;

	for (;;) {
		switch (rnd(20)) {
		case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
		case 10: case 11:
			return sac_id;
		case 12: case 13: case 14:
			return sac_child_id;
		case 15: id = rnd64(); break;
		case 16: id = rnd(64); break;
		case 17: id = sac_id + 1 + rnd(16); break;
		case 18: id = 0; break;
		default: id = UINT64_MAX - rnd(4); break;
		}
		if (id_allowed(id))
			return id;
	}
}

/*
 * Rewrite every top-level CRS_A_CGROUP_ID of the request at @nlh whose value
 * names an existing cgroup other than the sacrificial ones. The walk is the
 * kernel's (nla_ok over nlmsg_len); duplicates are all checked. Returns the
 * number rewritten.
 */
static int guard_ids(struct nlmsghdr *nlh)
{
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN;
	uint8_t *base = (uint8_t *)nlh;
	int fixed = 0;

	if (nlh->nlmsg_len < off)
		return 0;
	while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
		struct nlattr *a = (struct nlattr *)(base + off);
		uint64_t v;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > nlh->nlmsg_len - off)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == CRS_A_CGROUP_ID &&
		    a->nla_len >= NLA_HDRLEN + sizeof(uint64_t)) {
			memcpy(&v, base + off + NLA_HDRLEN, sizeof(v));
			if (!id_allowed(v)) {
				memcpy(base + off + NLA_HDRLEN, &sac_id, sizeof(sac_id));
				fixed++;
			}
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return fixed;
}

/* ------------------------------------------------------ attribute trees */

struct node {
	uint16_t type;		/* including NLA_F_NESTED etc. as sent */
	bool nest;
	int nkids;
	struct node *kids[NLF_MAXKIDS];
	int len;
	uint8_t data[NLF_MAXDATA];
};

static struct node *node_new(uint16_t type)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		abort();
	n->type = type;
	return n;
}

static void node_free(struct node *n)
{
	int i;

	if (!n)
		return;
	for (i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n);
}

static struct node *node_copy(const struct node *n)
{
	struct node *c = node_new(n->type);
	int i;

	memcpy(c, n, sizeof(*c));
	for (i = 0; i < n->nkids; i++)
		c->kids[i] = node_copy(n->kids[i]);
	return c;
}

static void add(struct node *parent, struct node *kid)
{
	if (parent->nkids < NLF_MAXKIDS)
		parent->kids[parent->nkids++] = kid;
	else
		node_free(kid);
}

static struct node *add_u32(struct node *p, uint16_t type, uint32_t v)
{
	struct node *n = node_new(type);

	n->len = 4;
	memcpy(n->data, &v, 4);
	add(p, n);
	return n;
}

static struct node *add_u64(struct node *p, uint16_t type, uint64_t v)
{
	struct node *n = node_new(type);

	n->len = 8;
	memcpy(n->data, &v, 8);
	add(p, n);
	return n;
}

static struct node *add_str(struct node *p, uint16_t type, const char *s)
{
	struct node *n = node_new(type);

	n->len = strlen(s) + 1;
	if (n->len > NLF_MAXDATA)
		n->len = NLF_MAXDATA;
	memcpy(n->data, s, n->len);
	n->data[n->len - 1] = '\0';
	add(p, n);
	return n;
}

static struct node *add_bin(struct node *p, uint16_t type, const void *d, size_t len)
{
	struct node *n = node_new(type);

	n->len = len > NLF_MAXDATA ? NLF_MAXDATA : len;
	memcpy(n->data, d, n->len);
	add(p, n);
	return n;
}

static struct node *add_nest(struct node *p, uint16_t type)
{
	struct node *n = node_new(type | NLA_F_NESTED);

	n->nest = true;
	add(p, n);
	return n;
}

/* A request: genl command and version, and its top-level attributes. */
struct req {
	uint8_t cmd, version;
	uint16_t flags;		/* NLM_F_* beyond REQUEST|ACK */
	struct node *root;	/* kids = top-level attributes */
};

static const char *const progs[] = {
	"*", "/bin/busybox", "/usr/bin/*", "/crs/selftests/**", "/bin/s?", "bad", "",
	"/a/[b]c", "/**/x",
};
static const char *const paths[] = {
	"/tmp/nlfuzz/a", "/tmp/**", "/etc/passwd", "/tmp/*/x", "/**", "/", "relative",
	"", "/a//b", "/a/./b", "/a/../b", "/x/**/y/*.so", "/proc/self/fd/*", "*",
	"/tmp/[abc]", "/tmp/\\*",
};

static void rand_name(char *buf, size_t max)
{
	size_t n = 1 + rnd(max - 1), i;

	for (i = 0; i < n; i++)
		buf[i] = "abcdefghijklmnopqrstuvwxyz0123456789-_./ "[rnd(41)];
	buf[n] = '\0';
}

/* The network part of a rule: valid most of the time, edges included. */
static void net_attrs(struct node *r, uint32_t type)
{
	static const uint32_t fams[] = { 0, AF_INET, AF_INET6 };
	uint32_t fam = fams[rnd(3)], bytes = fam == AF_INET ? 4 : 16, plen;
	uint8_t addr[16] = { 10, (uint8_t)rnd(256) };
	uint32_t lo = rnd(65536), hi = lo + rnd(65536 - lo);

	if (type == CRS_RULE_NETWORK)
		add_u32(r, CRS_A_RULE_DIRECTION, chance(95) ? rnd(2) : rnd(5));
	add_u32(r, CRS_A_RULE_PROTOCOL, chance(95) ? rnd(type == CRS_RULE_NETWORK ? 4 : 3) : rnd(9));
	add_u32(r, CRS_A_RULE_ADDR_FAMILY, chance(97) ? fam : rnd(64));
	if (fam) {
		plen = chance(90) ? (fam == AF_INET ? 16 : 16 + rnd(113)) : rnd(200);
		add_bin(r, CRS_A_RULE_ADDR, addr, chance(95) ? bytes : rnd(20));
		add_u32(r, CRS_A_RULE_PREFIX_LEN, plen);
	}
	if (chance(70)) {
		add_u32(r, CRS_A_RULE_PORT_MIN, chance(95) ? lo : rnd64());
		add_u32(r, CRS_A_RULE_PORT_MAX, chance(95) ? hi : rnd64());
	}
}

static void valid_rule(struct node *parent, uint32_t index)
{
	struct node *r = add_nest(parent, CRS_A_RULE);
	uint32_t type = chance(50) ? CRS_RULE_FILE : chance(50) ? CRS_RULE_EXECUTE :
			chance(60) ? CRS_RULE_NETWORK : CRS_RULE_LISTENER;
	char name[40];

	add_u32(r, CRS_A_RULE_INDEX, index);
	if (chance(70)) {
		rand_name(name, sizeof(name) - 1);
		add_str(r, CRS_A_RULE_NAME, name);
	}
	add_u32(r, CRS_A_RULE_TYPE, type);
	add_u32(r, CRS_A_RULE_ACTION, rnd(2));
	add_u32(r, CRS_A_RULE_FLAGS, chance(85) ? CRS_RULE_F_ENABLED : 0);
	add_str(r, CRS_A_RULE_PROGRAM, chance(60) ? "*" : progs[rnd(4)]);
	if (type == CRS_RULE_NETWORK || type == CRS_RULE_LISTENER) {
		net_attrs(r, type);
		return;
	}
	add_str(r, CRS_A_RULE_PATH, paths[rnd(6)]);
	if (type == CRS_RULE_FILE)
		add_u32(r, CRS_A_RULE_ACCESS, 1 + rnd(3));
}

/* A valid request of a random command (the seed corpus, generated). */
static struct req *seed(void)
{
	struct req *q = calloc(1, sizeof(*q));
	struct node *d;
	char name[64];
	uint32_t i, n;

	if (!q)
		abort();
	q->root = node_new(0);
	q->root->nest = true;
	q->version = CRS_GENL_VERSION;
	switch (rnd(14)) {
	case 0:
		q->cmd = CRS_CMD_GET_STATUS;
		break;
	case 1: case 2: case 3: case 4:
		q->cmd = CRS_CMD_SET_TABLE;
		add_u64(q->root, CRS_A_CGROUP_ID, pick_id());
		if (chance(80)) {
			rand_name(name, sizeof(name) - 1);
			add_str(q->root, CRS_A_TABLE_NAME, name);
		}
		add_u32(q->root, CRS_A_TABLE_MODE, rnd(3));
		d = add_nest(q->root, CRS_A_TABLE_DEFAULTS);
		n = chance(50) ? 2 : 1 + rnd(5);
		for (i = 1; i <= n; i++)
			add_u32(d, i, rnd(2));
		if (chance(50))
			add_u32(q->root, CRS_A_TABLE_FLAGS, chance(50) ? CRS_TABLE_F_LEARN : 0);
		if (chance(20))
			add_u32(q->root, CRS_A_LEARN_MAX, chance(90) ? 64 + rnd(4096) : rnd(1U << 20));
		n = chance(10) ? rnd(40) : rnd(8);
		for (i = 0; i < n; i++)
			valid_rule(q->root, i);
		break;
	case 5: case 6:
		q->cmd = CRS_CMD_DEL_TABLE;
		add_u64(q->root, CRS_A_CGROUP_ID, pick_id());
		break;
	case 7:
		q->cmd = CRS_CMD_GET_TABLE;
		add_u64(q->root, CRS_A_CGROUP_ID, pick_id());
		break;
	case 8:
		q->cmd = CRS_CMD_GET_TABLE;
		q->flags = NLM_F_DUMP;
		break;
	case 9: case 10:
		q->cmd = CRS_CMD_SET_CONTAINER;
		add_u64(q->root, CRS_A_CGROUP_ID, pick_id());
		if (chance(80))
			add_u32(q->root, CRS_A_CONTAINER_MODE, chance(20) ? CRS_MODE_POLICY : rnd(3));
		if (chance(70))
			add_u32(q->root, CRS_A_CONTAINER_LOG, rnd(16));
		if (chance(40))
			add_u32(q->root, CRS_A_CONTAINER_LEARN,
				chance(10) ? rnd(300) : (uint32_t[]){0, 1, CRS_LEARN_POLICY}[rnd(3)]);
		if (chance(20))
			add_u32(q->root, CRS_A_LEARN_MAX, chance(90) ? 64 + rnd(4096) : rnd(1U << 20));
		break;
	case 12:
		q->cmd = CRS_CMD_GET_LEARNED;
		q->flags = NLM_F_DUMP;
		add_u64(q->root, CRS_A_CGROUP_ID, pick_id());
		break;
	case 13:
		q->cmd = CRS_CMD_DEL_LEARNED;
		add_u64(q->root, CRS_A_CGROUP_ID, pick_id());
		break;
	default:
		q->cmd = chance(50) ? CRS_CMD_EVENT : (chance(50) ? CRS_CMD_UNSPEC : rnd(256));
		if (chance(50))
			add_u64(q->root, CRS_A_CGROUP_ID, pick_id());
		break;
	}
	return q;
}

static void req_free(struct req *q)
{
	node_free(q->root);
	free(q);
}

/* Every node of the tree (root excluded), for picking one at random. */
static int collect(struct node *n, struct node **out, struct node **parents, int max, int k)
{
	int i;

	for (i = 0; i < n->nkids && k < max; i++) {
		out[k] = n->kids[i];
		parents[k++] = n;
		if (n->kids[i]->nest)
			k = collect(n->kids[i], out, parents, max, k);
	}
	return k;
}

static const uint64_t interesting[] = {
	0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x10000, 0x7fffffff,
	0x80000000, 0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL, UINT64_MAX,
	CRS_MODE_POLICY, CRS_MAX_RULES, CRS_PATTERN_MAX, CRS_NAME_MAX,
};

static void fill_random(uint8_t *p, int len)
{
	int i;

	for (i = 0; i < len; i++)
		p[i] = rnd64();
}

/* Change the payload of @n (a leaf). */
static void mutate_payload(struct node *n)
{
	uint64_t v;
	int i, len;

	switch (rnd(9)) {
	case 0:	/* interesting integer, any width */
		v = interesting[rnd(sizeof(interesting) / sizeof(interesting[0]))];
		n->len = (int[]){0, 1, 2, 4, 8, 12}[rnd(6)];
		memcpy(n->data, &v, n->len > 8 ? 8 : n->len);
		break;
	case 1:	/* flip bits */
		for (i = 0; n->len && i < 1 + (int)rnd(4); i++)
			n->data[rnd(n->len)] ^= 1 << rnd(8);
		break;
	case 2:	/* truncate */
		n->len = n->len ? rnd(n->len) : 0;
		break;
	case 3:	/* extend with random bytes */
		len = n->len + 1 + rnd(16);
		if (len > NLF_MAXDATA)
			len = NLF_MAXDATA;
		fill_random(n->data + n->len, len - n->len);
		n->len = len;
		break;
	case 4:	/* string without its NUL */
		if (n->len)
			n->data[n->len - 1] = 'x';
		break;
	case 5:	/* long string, around the pattern and name limits */
		len = (int[]){CRS_NAME_MAX, CRS_NAME_MAX + 1, CRS_NAME_MAX + 2,
			      CRS_PATTERN_MAX, CRS_PATTERN_MAX + 1, CRS_PATTERN_MAX + 2,
			      NLF_MAXDATA}[rnd(7)];
		memset(n->data, chance(50) ? '/' : 'a', len);
		n->data[0] = '/';
		if (chance(30))
			for (i = 0; i < len; i += 1 + rnd(8))
				n->data[i] = "*?[]/\\"[rnd(6)];
		n->data[len - 1] = '\0';
		n->len = len;
		break;
	case 6:	/* embedded NUL */
		if (n->len > 1)
			n->data[rnd(n->len - 1)] = '\0';
		break;
	case 7:	/* all random */
		n->len = rnd(64);
		fill_random(n->data, n->len);
		break;
	default:	/* glob soup */
		len = 1 + rnd(200);
		for (i = 0; i < len - 1; i++)
			n->data[i] = "/*?[]!^-a\\."[rnd(11)];
		n->data[len - 1] = '\0';
		n->len = len;
		break;
	}
}

static void mutate(struct req *q)
{
	struct node *all[512], *parents[512], *n, *p;
	int k, i, j;

	k = collect(q->root, all, parents, 512, 0);
	switch (rnd(14)) {
	case 0:	/* payload */
	case 1:
	case 2:
		if (!k)
			break;
		i = rnd(k);
		if (!all[i]->nest)
			mutate_payload(all[i]);
		else if (chance(50)) {	/* an empty nest */
			for (j = 0; j < all[i]->nkids; j++)
				node_free(all[i]->kids[j]);
			all[i]->nkids = 0;
		}
		break;
	case 3:	/* attribute type */
		if (!k)
			break;
		n = all[rnd(k)];
		switch (rnd(4)) {
		case 0: n->type = (n->type & ~NLA_TYPE_MASK) | rnd(16); break;
		case 1: n->type ^= NLA_F_NESTED; break;
		case 2: n->type ^= NLA_F_NET_BYTEORDER; break;
		default: n->type = rnd(65536); break;
		}
		break;
	case 4:	/* duplicate */
		if (!k)
			break;
		i = rnd(k);
		add(parents[i], node_copy(all[i]));
		break;
	case 5:	/* drop */
		if (!k)
			break;
		i = rnd(k);
		p = parents[i];
		for (j = 0; j < p->nkids; j++)
			if (p->kids[j] == all[i])
				break;
		node_free(p->kids[j]);
		memmove(&p->kids[j], &p->kids[j + 1], (p->nkids - j - 1) * sizeof(p->kids[0]));
		p->nkids--;
		break;
	case 6:	/* reorder */
		if (!k)
			break;
		p = parents[rnd(k)];
		for (i = p->nkids - 1; i > 0; i--) {
			j = rnd(i + 1);
			n = p->kids[i];
			p->kids[i] = p->kids[j];
			p->kids[j] = n;
		}
		break;
	case 7:	/* unknown attribute */
		p = k && chance(50) ? parents[rnd(k)] : q->root;
		n = node_new(chance(50) ? 200 + rnd(100) : CRS_A_MAX + 1 + rnd(4));
		n->len = rnd(20);
		fill_random(n->data, n->len);
		add(p, n);
		break;
	case 8:	/* a leaf becomes a nest of something */
		if (!k)
			break;
		n = all[rnd(k)];
		if (n->nest)
			break;
		n->nest = true;
		n->type |= NLA_F_NESTED;
		n->len = 0;
		add_u32(n, rnd(12), rnd(4));
		if (chance(50))
			valid_rule(n, rnd(4));
		break;
	case 9:	/* a nest becomes a leaf of its bytes (kids dropped) */
		if (!k)
			break;
		n = all[rnd(k)];
		if (!n->nest)
			break;
		for (i = 0; i < n->nkids; i++)
			node_free(n->kids[i]);
		n->nkids = 0;
		n->nest = false;
		n->len = rnd(32);
		fill_random(n->data, n->len);
		break;
	case 10:	/* deep nesting */
		p = q->root;
		n = add_nest(p, chance(50) ? CRS_A_RULE : CRS_A_TABLE_DEFAULTS);
		for (i = 0; i < 1 + (int)rnd(6); i++)
			n = add_nest(n, rnd(12));
		add_u32(n, rnd(12), rnd(3));
		break;
	case 11:	/* command and version */
		if (chance(70))
			q->cmd = rnd(10);
		else
			q->version = rnd(256);
		break;
	case 12:	/* a rule with everything out of range */
		n = add_nest(q->root, CRS_A_RULE);
		add_u32(n, CRS_A_RULE_INDEX, rnd64());
		add_u32(n, CRS_A_RULE_TYPE, rnd(8));
		add_u32(n, CRS_A_RULE_ACTION, rnd(4));
		add_u32(n, CRS_A_RULE_FLAGS, rnd(4));
		add_u32(n, CRS_A_RULE_ACCESS, rnd(16));
		add_str(n, CRS_A_RULE_PROGRAM, progs[rnd(9)]);
		add_str(n, CRS_A_RULE_PATH, paths[rnd(16)]);
		add_u64(n, CRS_A_RULE_HITS, rnd64());
		if (chance(50))
			net_attrs(n, chance(50) ? CRS_RULE_NETWORK : CRS_RULE_LISTENER);
		break;
	default:	/* many rules */
		for (i = 0; i < 20; i++)
			valid_rule(q->root, rnd(30));
		break;
	}
}

/* Serialize @n's kids into @buf at @off (bounded by @max). Returns the new offset. */
static size_t put_kids(uint8_t *buf, size_t off, size_t max, const struct node *n)
{
	int i;

	for (i = 0; i < n->nkids; i++) {
		const struct node *k = n->kids[i];
		struct nlattr *a;
		size_t start = off, end;

		if (off + NLA_HDRLEN > max)
			break;
		a = (struct nlattr *)(buf + off);
		a->nla_type = k->type;
		off += NLA_HDRLEN;
		if (k->nest) {
			off = put_kids(buf, off, max, k);
		} else {
			size_t len = k->len;

			if (off + len > max)
				len = max - off;
			memcpy(buf + off, k->data, len);
			off += len;
		}
		end = off;
		a->nla_len = end - start;
		off = NLA_ALIGN(end);
		if (off > max)
			off = max;
		memset(buf + end, 0, off - end);
	}
	return off;
}

static struct nlmsghdr *serialize(const struct req *q, void *buf, size_t max, uint16_t family)
{
	struct nlmsghdr *nlh = buf;
	struct genlmsghdr *g;

	memset(buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = family;
	g = (struct genlmsghdr *)((uint8_t *)buf + NLMSG_HDRLEN);
	g->cmd = q->cmd;
	g->version = q->version;
	nlh->nlmsg_len = put_kids(buf, NLMSG_HDRLEN + GENL_HDRLEN, max, q->root);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | q->flags;
	return nlh;
}

/* Byte-level damage after serialization. Returns false if the request
 * must expect no answer (it is silently dropped by netlink). */
static bool mutate_bytes(struct nlmsghdr *nlh)
{
	uint8_t *b = (uint8_t *)nlh;
	size_t len = nlh->nlmsg_len, off;
	int i;

	switch (rnd(6)) {
	case 0:	/* an attribute header's length */
		off = NLMSG_HDRLEN + GENL_HDRLEN;
		if (len <= off + NLA_HDRLEN)
			break;
		off += 4 * rnd((len - off - NLA_HDRLEN) / 4 + 1);
		if (off + 2 <= len) {
			uint16_t v = chance(50) ? rnd(16) : rnd(65536);

			memcpy(b + off, &v, 2);
		}
		break;
	case 1:	/* truncate: shorter nlmsg_len, fewer bytes sent */
		nlh->nlmsg_len = NLMSG_HDRLEN + rnd(len - NLMSG_HDRLEN + 1);
		break;
	case 2:	/* genl header */
		b[NLMSG_HDRLEN + rnd(GENL_HDRLEN)] = rnd64();
		break;
	case 3:	/* trailing garbage within nlmsg_len */
		i = 1 + rnd(7);
		fill_random(b + len, i);
		nlh->nlmsg_len = len + i;
		break;
	default:	/* random bytes anywhere after the netlink header */
		if (len <= NLMSG_HDRLEN)
			break;
		for (i = 0; i < 1 + (int)rnd(6); i++)
			b[NLMSG_HDRLEN + rnd(len - NLMSG_HDRLEN)] = rnd64();
		break;
	}
	return true;
}

/* ---------------------------------------------------------------- talk */

struct stats {
	uint64_t sent, acks, errors, replies, dumps, no_answer, ids_fixed, bytes;
	uint64_t errno_hist[160];
};

struct nlf {
	struct rawnl r;
	int fd;
	uint8_t rbuf[1 << 17];
	char why[256];
};

/*
 * Read answers until every sequence number in @seqs[0..n) is finished
 * (NLMSG_ERROR, or NLMSG_DONE of a dump). Answers of older requests (an ack
 * after a dump's DONE) are checked and skipped. 0, or -1 with nlf->why set.
 */
static int await(struct nlf *f, const uint32_t *seqs, int n, struct stats *st)
{
	bool done[2] = { false, false };
	int left = n;

	while (left > 0) {
		ssize_t got = recv(f->fd, f->rbuf, sizeof(f->rbuf), 0);
		const struct nlmsghdr *m;
		int len;

		if (got < 0) {
			snprintf(f->why, sizeof(f->why), "recv: %s%s", strerror(errno),
				 errno == EAGAIN ? " (no answer within SO_RCVTIMEO: a hang?)" : "");
			return -1;
		}
		len = got;
		for (m = (const struct nlmsghdr *)f->rbuf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			int i, which = -1;

			for (i = 0; i < n; i++)
				if (m->nlmsg_seq == seqs[i])
					which = i;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
				size_t off = sizeof(*e);
				const struct nlattr *a;

				if (m->nlmsg_len < NLMSG_HDRLEN + sizeof(*e)) {
					snprintf(f->why, sizeof(f->why), "short NLMSG_ERROR (%u bytes)",
						 m->nlmsg_len);
					return -1;
				}
				if (e->error > 0 || e->error < -4095) {
					snprintf(f->why, sizeof(f->why), "error %d out of range", e->error);
					return -1;
				}
				if (!(m->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
				if (m->nlmsg_flags & NLM_F_ACK_TLVS) {
					mnl_attr_for_each(a, m, off) {
						const char *s = mnl_attr_get_payload(a);
						uint16_t pl = mnl_attr_get_payload_len(a);

						if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
						    (pl == 0 || s[pl - 1] != '\0')) {
							snprintf(f->why, sizeof(f->why),
								 "extack message not NUL-terminated");
							return -1;
						}
					}
				}
				if (which >= 0 && !done[which]) {
					done[which] = true;
					left--;
					if (e->error) {
						st->errors++;
						st->errno_hist[-e->error < 160 ? -e->error : 159]++;
					} else {
						st->acks++;
					}
				}
				continue;
			}
			if (m->nlmsg_type == NLMSG_DONE) {
				if (which >= 0 && !done[which]) {
					done[which] = true;
					left--;
					st->dumps++;
				}
				continue;
			}
			/* a reply: the family's type, a genl header, well-formed attributes */
			if (m->nlmsg_type != f->r.family ||
			    m->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
				snprintf(f->why, sizeof(f->why), "odd reply: type %u len %u",
					 m->nlmsg_type, m->nlmsg_len);
				return -1;
			}
			{
				const uint8_t *p = (const uint8_t *)m;
				size_t off = NLMSG_HDRLEN + GENL_HDRLEN;

				while (off + NLA_HDRLEN <= m->nlmsg_len) {
					const struct nlattr *a = (const struct nlattr *)(p + off);

					if (a->nla_len < NLA_HDRLEN || a->nla_len > m->nlmsg_len - off) {
						snprintf(f->why, sizeof(f->why),
							 "malformed attribute in a reply at %zu", off);
						return -1;
					}
					off += NLA_ALIGN(a->nla_len);
				}
			}
			st->replies++;
		}
		if (len > 0) {
			snprintf(f->why, sizeof(f->why), "%d stray bytes after the replies", len);
			return -1;
		}
	}
	return 0;
}

/* Drain anything still queued (acks after dumps). */
static void drain(struct nlf *f)
{
	while (recv(f->fd, f->rbuf, sizeof(f->rbuf), MSG_DONTWAIT) > 0)
		;
}

static void hexdump(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len && i < 512; i++)
		fprintf(stderr, "%02x%s", b[i], (i % 32 == 31) ? "\n" : " ");
	fprintf(stderr, "\n");
}

/* --------------------------------------------------------------- tables */

/* Delete every table on a cgroup id not in @keep (the tables before the run). */
static int cleanup_tables(struct crs_nl *nl, const uint64_t *keep, size_t nkeep)
{
	struct crs_table_info *t = NULL;
	struct crs_err err = {0};
	size_t n = 0, i, j;
	int deleted = 0;

	if (crs_nl_get_tables(nl, 0, &t, &n, &err))
		return -1;
	for (i = 0; i < n; i++) {
		bool kept = false;

		for (j = 0; j < nkeep; j++)
			kept |= keep[j] == t[i].cgroup_id;
		if (!kept && !crs_nl_del_table(nl, t[i].cgroup_id, &err))
			deleted++;
	}
	crs_table_info_free(t, n);
	return deleted;
}

/* ----------------------------------------------------------------- test */

FIXTURE(nlfuzz) {
	char cg[PATH_MAX], child[PATH_MAX], dir[PATH_MAX], file[PATH_MAX];
	struct crs_nl *nl;
	uint64_t *before;
	size_t nbefore;
};

FIXTURE_SETUP(nlfuzz)
{
	struct crs_table_info *t = NULL;
	struct crs_err err = {0};
	size_t i;

	ASSERT_TRUE(cgroup2_mounted());
	ASSERT_EQ(0, crs_nl_open(&self->nl, &err)) {
		TH_LOG("crs_nl_open: %s: is crs.ko loaded?", err.msg);
	}
	ASSERT_EQ(0, crs_nl_get_tables(self->nl, 0, &t, &self->nbefore, &err));
	self->before = calloc(self->nbefore + 1, sizeof(uint64_t));
	for (i = 0; i < self->nbefore; i++)
		self->before[i] = t[i].cgroup_id;
	crs_table_info_free(t, self->nbefore);

	snprintf(self->cg, sizeof(self->cg), CG_ROOT "/crs-nlfuzz-%d", (int)getpid());
	snprintf(self->child, sizeof(self->child), "%s/child", self->cg);
	ASSERT_EQ(0, mkdir(self->cg, 0755));
	ASSERT_EQ(0, mkdir(self->child, 0755));
	ASSERT_EQ(0, crs_cgroup_id(self->cg, &sac_id));
	ASSERT_EQ(0, crs_cgroup_id(self->child, &sac_child_id));
	n_existing = 0;
	ASSERT_EQ(0, nftw(CG_ROOT, collect_cb, 32, FTW_PHYS));
	ASSERT_LT(2, n_existing);
	for (i = 0; i < self->nbefore; i++)
		ASSERT_NE(sac_id, self->before[i]);

	snprintf(self->dir, sizeof(self->dir), "/tmp/nlfuzz-%d", (int)getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0755));
	snprintf(self->file, sizeof(self->file), "%s/secret", self->dir);
	ASSERT_EQ(0, write_file(self->file, "secret\n", 0644));
}

FIXTURE_TEARDOWN(nlfuzz)
{
	if (self->nl) {
		crs_nl_del_table(self->nl, sac_child_id, NULL);
		crs_nl_del_table(self->nl, sac_id, NULL);
		cleanup_tables(self->nl, self->before, self->nbefore);
		crs_nl_close(self->nl);
	}
	cg_remove(self->child);
	cg_remove(self->cg);
	unlink(self->file);
	rmdir(self->dir);
	free(self->before);
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

TEST_F_TIMEOUT(nlfuzz, random_requests, 7200)
{
	static uint8_t sbuf[2 * NLF_BUF];
	uint64_t iters = env_u64("CRS_FUZZ_ITERS", 100000), seed_v, i, t0, dt;
	struct nlf *f = calloc(1, sizeof(*f));
	struct stats st = {0};
	struct timeval tv = { .tv_sec = 10 };
	struct crs_policy p;
	struct crs_err err = {0};
	int one = 1 << 23, ret, e;

	ASSERT_NE(NULL, f);
	seed_v = env_u64("CRS_FUZZ_SEED", 0);
	if (!seed_v)
		seed_v = (uint64_t)time(NULL) * 2654435761ULL ^ getpid();
	rng_state = seed_v | 1;
	TH_LOG("seed %llu, %llu requests (CRS_FUZZ_SEED, CRS_FUZZ_ITERS)",
	       (unsigned long long)seed_v, (unsigned long long)iters);

	ASSERT_EQ(0, rawnl_open(&f->r, true));
	f->fd = mnl_socket_get_fd(f->r.nl);
	ASSERT_EQ(0, setsockopt(f->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	setsockopt(f->fd, SOL_SOCKET, SO_RCVBUFFORCE, &one, sizeof(one));
	setsockopt(f->fd, SOL_SOCKET, SO_SNDBUFFORCE, &one, sizeof(one));

	t0 = now_ms();
	for (i = 0; i < iters; i++) {
		uint32_t seqs[2];
		size_t total = 0;
		int nmsg = chance(3) ? 2 : 1, m, nexpect = 0;

		for (m = 0; m < nmsg; m++) {
			struct req *q = seed();
			struct nlmsghdr *nlh;
			int k, nm = chance(20) ? 0 : 1 + rnd(4);
			bool answer;

			for (k = 0; k < nm; k++)
				mutate(q);
			/* flags: REQUEST|ACK always (every request must be answered) */
			if (chance(10))
				q->flags ^= (uint16_t[]){NLM_F_ROOT, NLM_F_MATCH, NLM_F_DUMP,
							 NLM_F_ECHO, NLM_F_MULTI, NLM_F_ATOMIC,
							 NLM_F_REPLACE, NLM_F_EXCL}[rnd(8)];
			nlh = serialize(q, sbuf + total, NLF_BUF - 16, f->r.family);
			answer = !chance(15) || mutate_bytes(nlh);
			if (nlh->nlmsg_len < NLMSG_HDRLEN)	/* never: kept >= header */
				nlh->nlmsg_len = NLMSG_HDRLEN;
			st.ids_fixed += guard_ids(nlh);
			nlh->nlmsg_seq = ++f->r.seq;
			nlh->nlmsg_pid = 0;
			if (answer)
				seqs[nexpect++] = nlh->nlmsg_seq;
			total += NLMSG_ALIGN(nlh->nlmsg_len);
			req_free(q);
		}
		if (send(f->fd, sbuf, total, 0) < 0) {
			e = errno;
			/* a request larger than the socket takes is refused locally */
			if (e == EMSGSIZE || e == ENOBUFS)
				continue;
			ASSERT_EQ(0, e) {
				TH_LOG("send: %s at request %llu", strerror(e), (unsigned long long)i);
			}
		}
		st.sent += nmsg;
		st.bytes += total;
		if (await(f, seqs, nexpect, &st)) {
			fprintf(stderr, "# request %llu (seed %llu): %s; the datagram:\n",
				(unsigned long long)i, (unsigned long long)seed_v, f->why);
			hexdump(sbuf, total);
			ASSERT_TRUE(false);
		}
		drain(f);
	}
	dt = now_ms() - t0;
	TH_LOG("%llu requests in %llu datagrams, %llu bytes, %.1f s, %.0f requests/s",
	       (unsigned long long)st.sent, (unsigned long long)iters,
	       (unsigned long long)st.bytes, dt / 1000.0, dt ? st.sent * 1000.0 / dt : 0.0);
	TH_LOG("answers: %llu acks, %llu errors, %llu replies, %llu dumps; %llu cgroup ids rewritten",
	       (unsigned long long)st.acks, (unsigned long long)st.errors,
	       (unsigned long long)st.replies, (unsigned long long)st.dumps,
	       (unsigned long long)st.ids_fixed);
	if (getenv("CRS_FUZZ_VERBOSE")) {
		for (e = 0; e < 160; e++)
			if (st.errno_hist[e])
				TH_LOG("  errno %d (%s): %llu", e, strerror(e),
				       (unsigned long long)st.errno_hist[e]);
	}
	EXPECT_LT(0, st.acks);
	EXPECT_LT(0, st.errors);
	rawnl_close(&f->r);
	free(f);

	/* The module still works: status, and a valid table enforced in the child cgroup. */
	{
		struct crs_status s;

		ASSERT_EQ(0, crs_nl_get_status(self->nl, &s, &err)) {
			TH_LOG("GET_STATUS after the run: %s", err.msg);
		}
	}
	crs_nl_del_table(self->nl, sac_child_id, NULL);
	ret = cleanup_tables(self->nl, self->before, self->nbefore);
	ASSERT_LE(0, ret);
	TH_LOG("%d tables left by the run deleted", ret);
	EXPECT_EQ(0, child_open(self->child, self->file, O_RDONLY, NULL));
	pol_init(&p, "after-fuzz", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_file(&p, "secret", CRS_ACTION_DENY, self->file, CRS_ACCESS_READ);
	ret = crs_nl_set_table(self->nl, sac_id, &p, &err);
	pol_release(&p);
	ASSERT_EQ(0, ret) {
		TH_LOG("valid SET_TABLE after the run: %s (%s)", strerror(-ret), err.msg);
	}
	EXPECT_EQ(EACCES, child_open(self->child, self->file, O_RDONLY, NULL));
	EXPECT_EQ(0, child_open(NULL, self->file, O_RDONLY, NULL));
	ASSERT_EQ(0, crs_nl_del_table(self->nl, sac_id, &err));
	EXPECT_EQ(0, child_open(self->child, self->file, O_RDONLY, NULL));
}

CRS_SELFTEST_MAIN
