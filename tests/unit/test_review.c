/* test_review.c - review queues on real stores: conflicts made by two devices and resolved,
 * delete/edit conflicts, duplicates, merge and unmerge with references, alarms, devices,
 * catalogue choices (tests layer). */
#include "fieldbook/catalogue.h"
#include "fieldbook/crypto.h"
#include "fieldbook/review.h"
#include "storetest.h"

static int copy_cb(const struct fb_op *op, void *ctx)
{
	struct fb_error err = {0};
	return fb_store_apply_ops(ctx, op, 1, NULL, &err) < 0 ? -1 : 0;
}

static void sync2(struct fb_store *a, struct fb_store *b)
{
	struct fb_error err = {0};
	fb_store_each_op(a, copy_cb, b, &err);
	fb_store_each_op(b, copy_cb, a, &err);
}

static int same_state(struct fb_store *a, struct fb_store *b)
{
	char da[65], db[65];
	struct fb_error err = {0};
	return fb_store_state_digest(a, da, &err) == 0 && fb_store_state_digest(b, db, &err) == 0 &&
	       !strcmp(da, db);
}

struct seen {
	int n;
	char field[64], v0[128], v1[128], op1[64], base[128], e1field[64];
	size_t nvalues;
};

static int conflict_cb(const struct fb_conflict *c, void *ctx)
{
	struct seen *s = ctx;
	if (s->n++ == 0) {
		snprintf(s->field, sizeof s->field, "%s", c->field);
		s->nvalues = c->nvalues;
		snprintf(s->v0, sizeof s->v0, "%s", c->values[0].value);
		if (c->nvalues > 1) {
			snprintf(s->v1, sizeof s->v1, "%s", c->values[1].value);
			snprintf(s->op1, sizeof s->op1, "%s", c->values[1].op);
			snprintf(s->e1field, sizeof s->e1field, "%s", c->values[1].field);
		}
		snprintf(s->base, sizeof s->base, "%s", c->base ? c->base->value : "(none)");
	}
	return 0;
}

static struct seen conflicts_of(struct fb_store *s, const char *rec)
{
	struct seen out;
	struct fb_error err = {0};
	memset(&out, 0, sizeof out);
	if (fb_review_conflicts(s, rec, conflict_cb, &out, &err) < 0)
		out.n = -1;
	return out;
}

static int linked_count;
static int linked_cb(const struct fb_row *row, const char *via, void *ctx)
{
	(void)row, (void)via, (void)ctx;
	linked_count++;
	return 0;
}

static int nlinked(struct fb_store *s, const char *id)
{
	struct fb_error err = {0};
	linked_count = 0;
	fb_linked(s, id, 0, linked_cb, NULL, &err);
	return linked_count;
}

struct dups {
	int groups;
	char reason[2][32];
	size_t n[2];
	int sealed_keys; /* groups found by an idh: (keyed tag) key */
};

static int dup_cb(const struct fb_dup_group *g, void *ctx)
{
	struct dups *d = ctx;
	if (d->groups < 2) {
		snprintf(d->reason[d->groups], sizeof d->reason[0], "%s", g->reason);
		d->n[d->groups] = g->n;
	}
	d->sealed_keys += !strncmp(g->key, "idh:", 4);
	d->groups++;
	return 0;
}

static int alarms_n;
static char alarm_advice[512];
static int alarm_cb(const struct fb_alarm *a, void *ctx)
{
	(void)ctx;
	alarms_n++;
	snprintf(alarm_advice, sizeof alarm_advice, "%s", a->advice);
	return 0;
}

static int64_t dev_records, dev_since;
static int dev_cb(const struct fb_device_stat *d, void *ctx)
{
	if (!strcmp(d->device, (const char *)ctx)) {
		dev_records = d->records;
		dev_since = d->since_review;
	}
	return 0;
}

static int choices_n;
static char choice0[128];
static int choice_cb(const struct fb_catalogue_entry *e, void *ctx)
{
	(void)ctx;
	if (choices_n++ == 0)
		snprintf(choice0, sizeof choice0, "%s", e->value);
	return 0;
}

static int nchoices(struct fb_store *s, const char *kind, const char *field)
{
	struct fb_error err = {0};
	choices_n = 0;
	choice0[0] = '\0';
	fb_catalogue_choices(s, fb_field_find(fb_kind_find(kind), field), choice_cb, NULL, &err);
	return choices_n;
}

int main(void)
{
	struct fb_store *a = test_store("laptop-a", "小王"), *b = test_store("laptop-b", "小李");
	struct fb_error err = {0};
	char p[32], q[32], d1[32], d2[32], c1[32], sv[32], dp[32], id[32], follow[32];
	struct fb_record *r = NULL;
	struct seen sn;
	struct dups dd;
	size_t added = 0, nconf = 0, acked = 0;
	int rc;

	setlocale(LC_ALL, "C.UTF-8");

	/* ---- a field conflict made by two devices, resolved on one, converged on both */
	rc = test_add(a, p, "person", &err, "name", "张三", "mobile", "13912345678", "occupation",
		      "courier", NULL);
	TAP_OK(rc == 0, "person added (%s)", err.message);
	sync2(a, b);
	test_edit(a, p, "mobile", "13900000001", &err);
	test_edit(b, p, "mobile", "13900000002", &err);
	sync2(a, b);
	sn = conflicts_of(a, NULL);
	TAP_OK(sn.n == 1 && sn.nvalues == 2, "one conflict with two values (%d, %zu)", sn.n, sn.nvalues);
	TAP_STREQ(sn.field, "mobile", "the conflicted field");
	TAP_STREQ(sn.base, "13912345678", "the common earlier value is the one both edits replaced");
	TAP_OK(same_state(a, b), "both devices show the same conflict");
	rc = fb_review_pick(a, p, "mobile", sn.op1, &err);
	TAP_OK(rc == 0, "pick the second value (%s)", err.message);
	TAP_OK(conflicts_of(a, NULL).n == 0, "no conflict left on the device that resolved it");
	rc = fb_review_pick(a, p, "mobile", "nope:1.0", &err);
	TAP_OK(rc == FB_ENOTFOUND, "an op that is not visible is refused");
	sync2(a, b);
	TAP_OK(conflicts_of(b, NULL).n == 0 && same_state(a, b), "the resolution synced: converged");
	fb_record_get(&r, b, p, &err);
	TAP_STREQ(r ? fb_record_value(r, "mobile") : NULL, sn.v1, "the picked value is shown");
	fb_record_free(r);
	r = NULL;

	/* the common earlier value through a chain: one side edited twice */
	test_edit(a, p, "hukou", "甲地", &err);
	sync2(a, b);
	test_edit(a, p, "hukou", "乙地", &err);
	test_edit(a, p, "hukou", "丙地", &err);
	test_edit(b, p, "hukou", "丁地", &err);
	sync2(a, b);
	sn = conflicts_of(b, p);
	TAP_STREQ(sn.base, "甲地", "the earlier value is found through the other side's edits");
	rc = fb_review_pick(b, p, "hukou", sn.op1, &err);
	sync2(a, b);
	TAP_OK(rc == 0 && conflicts_of(a, NULL).n == 0, "resolved");

	/* ---- delete/edit conflicts: restore, and keep deleted */
	test_add(a, d1, "person", &err, "name", "李四", "occupation", "courier", "employer", "甲公司", NULL);
	test_add(a, d2, "person", &err, "name", "王五", "occupation", "courier", NULL);
	sync2(a, b);
	fb_record_delete(a, d1, &err);
	fb_record_delete(a, d2, &err);
	test_edit(b, d1, "occupation", "domestic", &err);
	test_edit(b, d2, "occupation", "domestic", &err);
	sync2(a, b);
	sn = conflicts_of(b, d1);
	TAP_OK(sn.n == 1, "a delete/edit conflict is listed");
	TAP_STREQ(sn.field, "_exists", "as the record's existence");
	TAP_STREQ(sn.v0, "0", "the delete first");
	TAP_STREQ(sn.e1field, "occupation", "then the concurrent edit");
	rc = fb_review_restore(b, d1, &err);
	TAP_OK(rc == 0, "restore (%s)", err.message);
	rc = fb_review_keep_deleted(b, d2, &err);
	TAP_OK(rc == 0, "keep deleted (%s)", err.message);
	sync2(a, b);
	TAP_OK(same_state(a, b) && conflicts_of(a, NULL).n == 0, "both converge, no conflicts left");
	fb_record_get(&r, a, d1, &err);
	TAP_OK(r && r->exists, "the restored record exists");
	TAP_STREQ(r ? fb_record_value(r, "occupation") : NULL, "domestic", "with the concurrent edit");
	TAP_STREQ(r ? fb_record_value(r, "employer") : NULL, "甲公司", "and the values the delete covered");
	fb_record_free(r);
	r = NULL;
	fb_record_get(&r, a, d2, &err);
	TAP_OK(r && !r->exists && !r->delete_conflict, "the other stays deleted");
	fb_record_free(r);
	r = NULL;

	/* ---- duplicates across two devices (teams), merge with a reference, unmerge */
	test_add(a, sv, "person", &err, "name", "赵六", "id_number", "11010519491231002X", "occupation",
		 "courier", NULL);
	test_add(b, dp, "person", &err, "name", "赵六", "id_number", "11010519491231002X", "occupation",
		 "domestic", "employer", "乙公司", NULL);
	test_add(b, c1, "consultation", &err, "person", dp, "topics", "wage_arrears", "summary", "欠薪",
		 "outcome", "answered", NULL);
	test_add(a, q, "person", &err, "name", "孙七", "mobile", "13700001111", "occupation", "courier", NULL);
	test_add(b, id, "person", &err, "name", "孙七", "mobile", "13700001111", "occupation", "courier", NULL);
	sync2(a, b);
	memset(&dd, 0, sizeof dd);
	rc = fb_review_duplicates(a, dup_cb, &dd, &err);
	TAP_OK(rc == 0 && dd.groups == 2, "two duplicate groups (%d)", dd.groups);
	TAP_STREQ(dd.reason[0], "id", "one by ID number");
	TAP_STREQ(dd.reason[1], "name_mobile", "one by name and mobile");
	TAP_OK(dd.n[0] == 2 && dd.n[1] == 2, "two people each");
	TAP_OK(nlinked(a, sv) == 0 && nlinked(a, dp) == 1, "the consultation refers to the duplicate");
	rc = fb_merge(a, sv, dp, &added, &nconf, &err);
	TAP_OK(rc == 0, "merge (%s)", err.message);
	TAP_OK(added == 2 && nconf == 1, "employer added, occupation conflicts (%zu added, %zu)", added, nconf);
	TAP_OK(nlinked(a, sv) == 1, "the consultation shows under the survivor");
	fb_record_follow(a, follow, dp, &err);
	TAP_STREQ(follow, sv, "a reference to the duplicate follows merged_into");
	fb_record_get(&r, a, sv, &err);
	TAP_STREQ(r ? fb_record_value(r, "employer") : NULL, "乙公司", "the duplicate's value is kept");
	TAP_OK(r && r->conflicts == 1, "the differing occupation is a conflict on the survivor");
	fb_record_free(r);
	r = NULL;
	memset(&dd, 0, sizeof dd);
	fb_review_duplicates(a, dup_cb, &dd, &err);
	TAP_OK(dd.groups == 1, "the merged pair left the duplicate queue");
	sync2(a, b);
	TAP_OK(same_state(a, b), "the merge synced");
	rc = fb_unmerge(b, dp, &err);
	TAP_OK(rc == 0, "unmerge on the other device (%s)", err.message);
	fb_record_get(&r, b, sv, &err);
	TAP_OK(r && r->conflicts == 0, "the survivor's conflict from the merge is gone");
	TAP_STREQ(r ? fb_record_value(r, "occupation") : NULL, "courier", "its own occupation stays");
	TAP_OK(r && (!fb_record_value(r, "employer") || !*fb_record_value(r, "employer")),
	       "the value the merge added is cleared");
	fb_record_free(r);
	r = NULL;
	fb_record_get(&r, b, dp, &err);
	TAP_OK(r && r->exists && !r->merged_into, "the duplicate is live again");
	TAP_STREQ(r ? fb_record_value(r, "employer") : NULL, "乙公司", "with its own values");
	fb_record_free(r);
	r = NULL;
	TAP_OK(nlinked(b, sv) == 0 && nlinked(b, dp) == 1, "the reference is the duplicate's again");
	rc = fb_unmerge(b, dp, &err);
	TAP_OK(rc == FB_EINVAL, "unmerging a record that is not merged is refused");
	sync2(a, b);
	TAP_OK(same_state(a, b), "the unmerge synced");
	rc = fb_merge(a, sv, sv, NULL, NULL, &err);
	TAP_OK(rc == FB_EINVAL, "a record cannot be merged into itself");
	rc = fb_merge(a, sv, c1, NULL, NULL, &err);
	TAP_OK(rc == FB_EINVAL, "only people are merged");

	/* ---- alarms */
	{
		char detail[256];
		snprintf(detail, sizeof detail, "branch dev/%s from remote hq was not accepted", fb_store_device(b));
		fb_store_alarm(a, "quarantine", detail, &err);
		fb_store_alarm(a, "clock", "an op is stamped 99 s in the future", &err);
	}
	alarms_n = 0;
	fb_alarm_list(a, 0, alarm_cb, NULL, &err);
	TAP_OK(alarms_n == 2, "two open alarms");
	TAP_OK(strstr(alarm_advice, "nothing was lost") != NULL, "with what to do");
	{
		int64_t n = 0;
		fb_alarm_count(a, fb_store_device(b), &n, &err);
		TAP_OK(n == 1, "one names device b");
	}
	rc = fb_alarm_ack(a, 0, &acked, &err);
	TAP_OK(rc == 0 && acked == 2, "acknowledge all");
	alarms_n = 0;
	fb_alarm_list(a, 0, alarm_cb, NULL, &err);
	TAP_OK(alarms_n == 0, "none open");
	alarms_n = 0;
	fb_alarm_list(a, 1, alarm_cb, NULL, &err);
	TAP_OK(alarms_n == 2, "both kept for the record");
	TAP_OK(fb_alarm_ack(a, 999, NULL, &err) == FB_ENOTFOUND, "an unknown alarm number is refused");

	/* ---- devices and the review mark */
	fb_review_devices(a, dev_cb, (void *)fb_store_device(b), &err);
	TAP_OK(dev_records == 3 && dev_since == 4, "device b created 3 live records; new: those and a restore (%lld, %lld)",
	       (long long)dev_records, (long long)dev_since);
	fb_review_mark_set(a, &err);
	test_add(b, id, "person", &err, "name", "周八", "occupation", "courier", NULL);
	{
		/* a record with an old clock that arrives after the review is new all the same */
		struct fb_op old = {"0123456789abcdef:1.0", (int64_t)1000 << 16, "离线", "person",
				    "00000000000000aa", "_exists", "1", ""};
		struct fb_op oldname = {"0123456789abcdef:1.1", (int64_t)1000 << 16, "离线", "person",
					"00000000000000aa", "name", "陈旧", ""};
		struct fb_op both[2];
		both[0] = old;
		both[1] = oldname;
		TAP_OK(fb_store_apply_ops(a, both, 2, NULL, &err) == 0, "an old record arrives (%s)", err.message);
	}
	fb_review_devices(a, dev_cb, (void *)"0123456789abcdef", &err);
	TAP_OK(dev_since == 1, "it counts as new since the review (%lld)", (long long)dev_since);
	sync2(a, b);
	fb_review_devices(a, dev_cb, (void *)fb_store_device(b), &err);
	TAP_OK(dev_records == 4 && dev_since == 1, "one new since the review mark (%lld)", (long long)dev_since);

	/* ---- catalogues */
	TAP_OK(nchoices(a, "request", "service") == 5, "built-in services while none is published");
	TAP_OK(nchoices(a, "visit", "site") == 0, "no built-in sites");
	rc = test_add(a, id, "service", &err, "code", "S01", "name", "技能培训班", NULL);
	TAP_OK(rc == 0, "a coordinator publishes a service (%s)", err.message);
	test_add(a, id, "site", &err, "name", "东区职工服务中心", "district", "东区", NULL);
	test_add(a, q, "site", &err, "name", "旧驿站", "status", "retired", NULL);
	sync2(a, b);
	TAP_OK(nchoices(b, "request", "service") == 1, "published services replace the defaults");
	TAP_STREQ(choice0, "技能培训班", "by name");
	TAP_OK(nchoices(b, "visit", "site") == 1, "retired sites are not offered");
	rc = test_add(b, id, "request", &err, "group", "骑手站", "service", "s01", NULL);
	TAP_OK(rc == 0, "a request names the service by its code (%s)", err.message);
	fb_record_get(&r, b, id, &err);
	TAP_STREQ(r ? fb_record_value(r, "service") : NULL, "技能培训班", "stored as the entry's name");
	fb_record_free(r);
	r = NULL;
	rc = test_add(b, id, "visit", &err, "type", "new_year", "site", "新工地", "team", "一队", NULL);
	TAP_OK(rc == 0, "other text stays valid (%s)", err.message);

	/* ---- sealed ID numbers (privacy mode): found by their keyed tag, merged without a
	 * false conflict although the two sealed texts differ */
	{
		struct fb_keyring ring = {0};
		char s1[32], s2[32];
		TAP_OK(fb_crypto_init(&err) == 0 && fb_keyring_add_new(&ring, &err) == 0, "a key ring");
		fb_crypto_set_ring(&ring);
		test_add(a, s1, "person", &err, "name", "吴九", "id_number", "110101200001010010", "occupation",
			 "courier", NULL);
		test_add(b, s2, "person", &err, "name", "吴九", "id_number", "110101200001010010", "occupation",
			 "courier", NULL);
		sync2(a, b);
		memset(&dd, 0, sizeof dd);
		fb_review_duplicates(a, dup_cb, &dd, &err);
		TAP_OK(dd.groups == 3 && dd.sealed_keys == 1, "sealed duplicates found by their tag (%d groups, %d by tag)",
		       dd.groups, dd.sealed_keys);
		rc = fb_merge(a, s1, s2, &added, &nconf, &err);
		TAP_OK(rc == 0 && nconf == 0, "merging equal sealed numbers makes no conflict (%zu)", nconf);
		fb_record_get(&r, a, s1, &err);
		TAP_OK(r && r->conflicts == 0, "the survivor is clean");
		fb_record_free(r);
		r = NULL;
		fb_crypto_set_ring(NULL);
		fb_keyring_wipe(&ring);
	}

	test_store_free(a);
	test_store_free(b);
	return tap_done();
}
