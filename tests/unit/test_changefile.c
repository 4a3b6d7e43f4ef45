/* test_changefile.c - unit tests of core/changefile.c and core/seal.c: canonical change
 * files round-trip, every malformed input is refused with its line, and sealing marks
 * ops (tests layer). */
#include "storetest.h"

#include "fieldbook/changefile.h"

static const struct fb_op ops[] = {
	{"a1b2c3d4e5f6a7b8:2.0", 123456789, "张静", "person", "0011223344556677", "name", "张\t三%\n𠀀", "a1b2c3d4e5f6a7b8:1.0"},
	{"a1b2c3d4e5f6a7b8:1.0", 100, "张静", "person", "0011223344556677", "_exists", "1", ""},
	{"a1b2c3d4e5f6a7b8:2.1", 123456789, "x", "futurekind", "0011223344556677", "new_field", "", "a1b2c3d4e5f6a7b8:1.0 ffff:3.2"},
};
#define DEV "a1b2c3d4e5f6a7b8"

static int parse_fails(const char *text, const char *want, const char *what)
{
	struct fb_changefile *cf = NULL;
	struct fb_error err = {0};
	int rc = fb_changefile_parse(&cf, text, strlen(text), &err);

	TAP_OK(rc == FB_EINVAL && cf == NULL && strstr(err.message, want), "%s: %s", what, err.message);
	return rc;
}

static int count_cb(const struct fb_op *op, void *ctx)
{
	(*(size_t *)ctx)++;
	return 0;
}

struct collect {
	struct fb_op ops[64];
	size_t n;
};

/* Deep copy: the strings of op live only until the next row. */
static int collect_cb(const struct fb_op *op, void *ctx)
{
	struct collect *c = ctx;
	struct fb_op *o;

	if (c->n >= 64)
		return 0;
	o = &c->ops[c->n++];
	o->id = strdup(op->id);
	o->hlc = op->hlc;
	o->author = strdup(op->author);
	o->kind = strdup(op->kind);
	o->rec = strdup(op->rec);
	o->field = strdup(op->field);
	o->value = strdup(op->value);
	o->pred = strdup(op->pred);
	return 0;
}

static void collect_free(struct collect *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free((char *)c->ops[i].id);
		free((char *)c->ops[i].author);
		free((char *)c->ops[i].kind);
		free((char *)c->ops[i].rec);
		free((char *)c->ops[i].field);
		free((char *)c->ops[i].value);
		free((char *)c->ops[i].pred);
	}
}

int main(void)
{
	struct fb_error err = {0};
	struct fb_changefile *cf = NULL;
	char *text = NULL, *again = NULL, *mut;
	size_t len = 0, len2 = 0, i;
	struct fb_op shuffled[3] = {ops[2], ops[0], ops[1]};

	setlocale(LC_ALL, "C.UTF-8");
	TAP_OK(fb_changefile_write(&text, &len, DEV, 7, ops, 3, &err) == 0, "write: %s", err.message);
	TAP_OK(!strncmp(text, "fieldbook-changes 1\ndevice " DEV "\nseal 7\nops 3\n" DEV ":1.0\t", 69),
	       "header, then ops sorted by (seq, idx)");
	TAP_OK(strstr(text, "张%09三%25%0A𠀀") != NULL, "tab, percent and newline escaped; UTF-8 kept");
	TAP_OK(len > 6 && !strcmp(text + len - 6, "end 3\n"), "trailer repeats the count");
	TAP_OK(fb_changefile_write(&again, &len2, DEV, 7, shuffled, 3, &err) == 0 && len2 == len &&
		       !memcmp(again, text, len),
	       "the same ops in any order give the same bytes");
	free(again);
	again = NULL;
	TAP_OK(fb_changefile_parse(&cf, text, len, &err) == 0 && cf->nops == 3 && cf->seal == 7 &&
		       !strcmp(cf->device, DEV),
	       "parse: %s", err.message);
	TAP_STREQ(cf->ops[1].value, "张\t三%\n𠀀", "value unescaped");
	TAP_STREQ(cf->ops[2].kind, "futurekind", "an unknown kind is carried");
	TAP_STREQ(cf->ops[2].pred, "a1b2c3d4e5f6a7b8:1.0 ffff:3.2", "pred kept");
	TAP_OK(fb_changefile_write(&again, &len2, cf->device, cf->seal, cf->ops, cf->nops, &err) == 0 &&
		       len2 == len && !memcmp(again, text, len),
	       "parse then write gives the same bytes (canonical)");
	fb_changefile_free(cf);
	free(again);

	/* every truncation is refused */
	{
		int all = 1;
		for (i = 0; i < len; i++) {
			cf = NULL;
			if (fb_changefile_parse(&cf, text, i, &err) == 0) {
				all = 0;
				fb_changefile_free(cf);
			}
		}
		TAP_OK(all, "every truncated prefix (%zu of them) is refused", len);
	}
	mut = strdup(text);
	mut[len - 2] = '4';
	parse_fails(mut, "end", "a wrong trailer count");
	free(mut);
	parse_fails("hello\n", "not a fieldbook change file", "not a change file");
	parse_fails("fieldbook-changes 1\ndevice " DEV "\nseal 1\nops 1\nffff:1.0\t1\ta\tperson\t0011223344556677\tname\tx\t\nend 1\n",
		    "does not belong", "an op of another device");
	parse_fails("fieldbook-changes 1\ndevice " DEV "\nseal 1\nops 1\n" DEV ":1.0\t1\ta\tperson\t0011223344556677\tname\t%41\t\nend 1\n",
		    "escape", "a needless escape (not canonical)");
	parse_fails("fieldbook-changes 1\ndevice " DEV "\nseal 1\nops 1\n" DEV ":1.0\t1\ta\tperson\t0011223344556677\tname\t\xff\t\nend 1\n",
		    "UTF-8", "invalid UTF-8 in a value");
	parse_fails("fieldbook-changes 1\ndevice " DEV "\nseal 1\nops 2\n" DEV ":1.1\t1\ta\tperson\t0011223344556677\tname\tx\t\n" DEV
		    ":1.0\t1\ta\tperson\t0011223344556677\tname\tx\t\nend 2\n",
		    "order", "ops out of order");
	parse_fails("fieldbook-changes 1\ndevice " DEV "\nseal 1\nops 1\n" DEV ":1.0\t1\ta\tPerson\t0011223344556677\tname\tx\t\nend 1\n",
		    "kind", "a bad kind");
	parse_fails("fieldbook-changes 1\ndevice " DEV "\nseal 1\nops 1\n" DEV ":1.0\t1\ta\tperson\t00\tname\tx\t\nend 1\n",
		    "record id", "a bad record id");
	parse_fails("fieldbook-changes 1\ndevice " DEV "\nseal 1\nops 1\n" DEV ":1.0\t1\ta\tperson\t0011223344556677\t_exists\t2\t\nend 1\n",
		    "_exists", "_exists other than 0/1");
	parse_fails("fieldbook-changes 1\ndevice " DEV "\nseal 1\nops 0\nend 0\nextra", "after", "text after end");
	parse_fails("fieldbook-changes 1\ndevice " DEV "\nseal 1\nops 99999999\nend 0\n", "ops N", "absurd op count");
	free(text);

	/* sealing in the store */
	{
		struct fb_store *s = test_store("gate", "张静");
		char id[32];
		size_t n = 0;
		int64_t unsealed = 0, v = 0;
		struct collect c = {0};
		test_add(s, id, "person", &err, "name", "张三", "occupation", "other", NULL);
		fb_store_unsealed_count(s, &unsealed, &err);
		fb_store_unsealed_ops(s, 0, count_cb, &n, &err);
		TAP_OK(unsealed > 0 && (size_t)unsealed == n, "unsealed ops listed (%zu)", n);
		fb_store_unsealed_ops(s, 0, collect_cb, &c, &err);
		TAP_OK(fb_changefile_write(&text, &len, fb_store_device(s), 1, c.ops, c.n, &err) == 0,
		       "a store's own ops make a valid change file: %s", err.message);
		free(text);
		TAP_OK(fb_store_mark_sealed(s, c.ops, c.n, 1, &err) == 0, "mark sealed");
		TAP_OK(fb_store_mark_sealed(s, c.ops, c.n, 1, &err) == 0, "marking again is harmless");
		fb_store_unsealed_count(s, &unsealed, &err);
		TAP_OK(unsealed == 0, "nothing left unsealed");
		fb_store_state_set_int(s, "seal", 1, &err);
		fb_store_state_get_int(s, "seal", &v, &err);
		TAP_OK(v == 1, "sync state kept");
		TAP_OK(fb_store_alarm(s, "test", "a test alarm", &err) == 0, "alarm recorded");
		collect_free(&c);
		fb_store_free(s);
	}
	return tap_done();
}
