/* test_record.c - unit tests of core/record.c: validation on save, derived fields,
 * overrides, edits, deletes and conflicts, with a real SQLite store (tests layer). */
#include "storetest.h"

static int count_row(const struct fb_row *row, void *ctx)
{
	(void)row;
	(*(int *)ctx)++;
	return 0;
}

static int count_notes(struct fb_store *s, const char *parent)
{
	struct fb_list_query q = {0};
	struct fb_kv f = {"parent", parent};
	int n = 0;

	q.kind = "note";
	q.filters = &f;
	q.nfilters = 1;
	fb_list(s, &q, count_row, &n, NULL);
	return n;
}

static void copy_ops(struct fb_store *from, struct fb_store *to);

int main(void)
{
	struct fb_store *s, *t;
	struct fb_error err = {0};
	struct fb_record *r = NULL;
	char id[32], id2[32], cid[32];
	int rc;

	setlocale(LC_ALL, "C.UTF-8");
	setenv("FIELDBOOK_NOW", "2026-11-29T10:00:00+08:00", 1);
	s = test_store("gate-1", "张静");

	rc = test_add(s, id, "person", &err, "name", "张三", "id_number", "11010519491231002X", "mobile",
		      "+86 139-1234-5678", "occupation", "外卖骑手", "platforms", "美团", NULL);
	TAP_OK(rc == 0, "add person: %s", err.message);
	TAP_OK(strlen(id) == 16, "record id has 16 characters");
	TAP_OK(fb_record_get(&r, s, id, &err) == 0, "get the person back");
	TAP_STREQ(fb_record_value(r, "gender"), "female", "gender derived from the ID (sequence 002 is even)");
	TAP_STREQ(fb_record_value(r, "birth_date"), "1949-12-31", "birth_date derived from the ID");
	TAP_STREQ(fb_record_value(r, "mobile"), "13912345678", "mobile normalised to 11 digits");
	TAP_STREQ(fb_record_value(r, "occupation"), "food_delivery", "choice stored as its code");
	TAP_STREQ(fb_record_value(r, "platforms"), "meituan", "multi-choice stored as codes");
	TAP_STREQ(fb_record_value(r, "member_status"), "non_member", "lifecycle default applied");
	TAP_STREQ(fb_record_value(r, "id_type"), "resident", "id_type default");
	TAP_STREQ(r->created_by, "张静", "operator recorded on the op");
	fb_record_free(r);
	r = NULL;

	rc = test_add(s, id2, "person", &err, "name", "李四", "id_number", "110101200001010011",
		      "occupation", "快递员", NULL);
	TAP_OK(rc == FB_EINVAL && !strcmp(err.field, "id_number") && strstr(err.message, "check"),
	       "bad check character refused, naming id_number: %s", err.message);
	rc = test_add(s, id2, "person", &err, "id_number", "11010120000101007X", "occupation", "courier",
		      NULL);
	TAP_OK(rc == FB_EINVAL && !strcmp(err.field, "name"), "missing name refused: %s", err.message);
	rc = test_add(s, id2, "person", &err, "name", "王五", "occupation", "飞行员", NULL);
	TAP_OK(rc == FB_EINVAL && !strcmp(err.field, "occupation") && strstr(err.message, "food_delivery"),
	       "unknown choice refused with the list: %s", err.message);
	rc = test_add(s, id2, "person", &err, "name", "王五", "occupation", "other", "colour", "red", NULL);
	TAP_OK(rc == FB_EINVAL && strstr(err.message, "fieldbook fields person"),
	       "unknown field refused: %s", err.message);
	rc = test_add(s, id2, "person", &err, "name", "王五", "occupation", "other", "id_number",
		      "110101201501010016", NULL);
	TAP_OK(rc == FB_EINVAL && !strcmp(err.field, "id_number"), "under 16 refused: %s", err.message);
	rc = test_add(s, id2, "person", &err, "name", "王五", "occupation", "other", "id_number",
		      "11010519491231002X", "gender", "male", NULL);
	TAP_OK(rc == FB_EINVAL && !strcmp(err.field, "gender"), "typed gender contradicting the ID refused");
	rc = test_add(s, id2, "person", &err, "name", "王五", "occupation", "other", "employer_uscc",
		      "91350100M000100Y4Z", NULL);
	TAP_OK(rc == FB_EWARN && !strcmp(err.field, "employer_uscc"), "credit code checksum is a warning");
	{
		struct fb_kv kv[] = {{"name", "王五"}, {"occupation", "other"},
				     {"employer_uscc", "91350100M000100Y4Z"}};
		struct fb_override o = {"employer_uscc", "printed this way on the licence"};
		rc = fb_record_add(s, id2, "person", kv, 3, &o, 1, &err);
		TAP_OK(rc == 0, "warning overridden with a reason");
		TAP_OK(count_notes(s, id2) == 1, "the override reason is saved as a note on the record");
	}
	rc = test_add(s, id2, "assistance", &err, "person", id, "type", "medical", "amount", "0",
		      "reason", "母亲手术", NULL);
	TAP_OK(rc == FB_EINVAL && !strcmp(err.field, "amount"), "assistance amount must be > 0");
	rc = test_add(s, id2, "assistance", &err, "person", "ffff0000", "type", "medical", "amount",
		      "7000", "reason", "母亲手术", NULL);
	TAP_OK(rc < 0 && !strcmp(err.field, "person"), "reference to a missing record refused: %s",
	       err.message);
	rc = test_add(s, id2, "assistance", &err, "person", id, "type", "medical", "amount", "7,000.50",
		      "reason", "母亲手术", NULL);
	TAP_OK(rc == 0, "assistance linked by id: %s", err.message);
	TAP_OK(fb_record_get(&r, s, id2, &err) == 0 && !strcmp(fb_record_value(r, "amount"), "700050"),
	       "money typed in yuan stored in fen");
	TAP_STREQ(fb_record_value(r, "status"), "applied", "assistance starts as applied");
	fb_record_free(r);
	r = NULL;
	rc = test_add(s, id2, "request", &err, "service", "体检", NULL);
	TAP_OK(rc == FB_EINVAL && !strcmp(err.field, "requester"), "request needs a requester or group");
	rc = test_add(s, cid, "visit", &err, "type", "新春送福", "site", "工业园", "team", "中山港",
		      "items", "礼包×300@25; 春联x300", NULL);
	TAP_OK(rc == 0, "visit with items: %s", err.message);
	TAP_OK(fb_record_get(&r, s, cid, &err) == 0 && !strcmp(fb_record_value(r, "date"), "2026-11-29"),
	       "date defaults to today (FIELDBOOK_NOW)");
	TAP_STREQ(fb_record_value(r, "items"), "礼包×300@2500; 春联×300@0", "items stored canonically");
	fb_record_free(r);
	r = NULL;

	/* edits and history */
	TAP_OK(test_edit(s, id, "mobile", "13800001111", &err) == 0, "edit mobile");
	TAP_OK(fb_record_get(&r, s, id, &err) == 0 && !strcmp(fb_record_value(r, "mobile"), "13800001111"),
	       "edit visible");
	fb_record_free(r);
	r = NULL;
	TAP_OK(test_edit(s, id, "name", "", &err) == FB_EINVAL, "clearing a required field refused");
	TAP_OK(test_edit(s, "zz", "name", "x", &err) == FB_EINVAL, "malformed id refused");
	TAP_OK(test_edit(s, "0000000000000000", "name", "x", &err) == FB_ENOTFOUND, "unknown id: not found");
	{
		char prefix[8];
		memcpy(prefix, id, 6);
		prefix[6] = '\0';
		TAP_OK(test_edit(s, prefix, "employer", "美团配送站", &err) == 0, "edit by a 6-character prefix");
	}

	/* concurrent edits on two devices: a conflict, kept and shown, then resolved */
	t = test_store("gate-2", "李明");
	copy_ops(s, t);
	TAP_OK(test_edit(s, id, "employer", "甲公司", &err) == 0, "device 1 edits employer");
	TAP_OK(test_edit(t, id, "employer", "乙公司", &err) == 0, "device 2 edits employer concurrently");
	copy_ops(s, t);
	copy_ops(t, s);
	TAP_OK(fb_record_get(&r, s, id, &err) == 0, "get after exchange");
	{
		size_t i;
		const struct fb_field_state *fs = NULL;
		for (i = 0; i < r->nfields; i++)
			if (!strcmp(r->fields[i].name, "employer"))
				fs = &r->fields[i];
		TAP_OK(fs && fs->nvalues == 2 && r->conflicts == 1, "both values kept as a conflict");
	}
	fb_record_free(r);
	r = NULL;
	TAP_OK(test_edit(t, id, "employer", "乙公司", &err) == 0, "resolve by choosing a value");
	copy_ops(t, s);
	TAP_OK(fb_record_get(&r, s, id, &err) == 0 && r->conflicts == 0 &&
		       !strcmp(fb_record_value(r, "employer"), "乙公司"),
	       "resolution syncs and clears the conflict");
	fb_record_free(r);
	r = NULL;

	/* delete concurrent with an edit: a delete/edit conflict */
	TAP_OK(fb_record_delete(s, cid, &err) == 0, "delete the visit");
	TAP_OK(test_edit(t, cid, "headcount", "120", &err) == 0, "other device edits it meanwhile");
	copy_ops(t, s);
	TAP_OK(fb_record_get(&r, s, cid, &err) == 0 && !r->exists && r->delete_conflict && r->conflicts == 1,
	       "delete/edit conflict is shown");
	fb_record_free(r);
	r = NULL;
	TAP_OK(test_edit(s, id2, "amount", "-5", &err) == FB_EINVAL, "negative money refused");

	fb_store_free(t);
	test_store_free(s);
	return tap_done();
}

static int copy_cb(const struct fb_op *op, void *ctx)
{
	struct fb_error err = {0};
	return fb_store_apply_ops(ctx, op, 1, NULL, &err) < 0 ? -1 : 0;
}

/* One-way sync of every op (what git sync will do). */
static void copy_ops(struct fb_store *from, struct fb_store *to)
{
	struct fb_error err = {0};
	fb_store_each_op(from, copy_cb, to, &err);
}
