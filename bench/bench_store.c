/* bench_store.c - benchmarks of the fieldbook store at scale (DESIGN section 6).
 *
 * Generates a store of N person records (default 1,000,000) with realistic Chinese
 * names, valid-by-checksum made-up resident ID numbers, mobiles, occupations and
 * employers, by feeding ops to fb_store_apply_ops in batches (the path fetched ops take,
 * so the generation rate is also the ingest rate).  It builds a raw SQLite reference
 * database with the same rows, then measures durable saves, list pages, opening a
 * record and searches on both, and prints each figure next to its reference and its
 * budget.  An existing store with N generated records is reused (an interrupted
 * generation resumes), so re-runs are fast.  Run through bench/run; see bench/README.md.
 *
 * Usage: bench_store [--records N] [--dir DIR] [--batch RECORDS] [--saves N] */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fieldbook/store.h"

/* The device that "made" the generated records (they arrive as foreign ops). */
#define GEN_DEVICE "9e4e7a10b0c1d2e4" /* a new id for every change of the generated data */
#define GEN_FIELDS 10
/* Generated update times: one record every span/N ms from 2024-01-01T00:00Z, 2 years. */
#define GEN_BASE_MS 1704067200000LL
#define GEN_SPAN_MS (2LL * 365 * 86400 * 1000)

/* ---------------------------------------------------------------- small helpers */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_store: %s: %s\n", what, msg);
	exit(1);
}

static void die_fb(const char *what, const struct fb_error *err)
{
	die(what, err->message[0] ? err->message : "(no message)");
}

static void die_sql(sqlite3 *db, const char *what)
{
	die(what, sqlite3_errmsg(db));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The p-th percentile of an already sorted array. */
static double pct(const double *v, size_t n, double p)
{
	size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return n ? v[i < n ? i : n - 1] : 0;
}

/* 1234567 -> "1,234,567" */
static const char *grp(int64_t v)
{
	static char bufs[8][32];
	static int k;
	char tmp[32], *out = bufs[k++ & 7];
	int len, i, o = 0;

	len = snprintf(tmp, sizeof tmp, "%" PRId64, v < 0 ? -v : v);
	if (v < 0)
		out[o++] = '-';
	for (i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = tmp[i];
	}
	out[o] = '\0';
	return out;
}

static const char *fmt_ms(double ms)
{
	static char bufs[8][32];
	static int k;
	char *out = bufs[k++ & 7];

	if (ms >= 100)
		snprintf(out, 32, "%.0f ms", ms);
	else if (ms >= 10)
		snprintf(out, 32, "%.1f ms", ms);
	else if (ms >= 1)
		snprintf(out, 32, "%.2f ms", ms);
	else
		snprintf(out, 32, "%.3f ms", ms);
	return out;
}

static const char *fmt_bytes(int64_t b)
{
	static char bufs[4][32];
	static int k;
	char *out = bufs[k++ & 3];

	if (b >= 1LL << 30)
		snprintf(out, 32, "%.2f GiB", (double)b / (1 << 30));
	else
		snprintf(out, 32, "%.1f MiB", (double)b / (1 << 20));
	return out;
}

static int64_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
}

/* ---------------------------------------------------------------- the result table */

struct row {
	char what[128], fb[64], ref[64], budget[64], verdict[24];
};

static struct row table[64];
static size_t nrows;
static char notes[64][256];
static size_t nnotes;

static void add_row(const char *what, const char *fb, const char *ref, const char *budget,
		    const char *verdict)
{
	struct row *r;

	if (nrows >= sizeof table / sizeof table[0])
		return;
	r = &table[nrows++];
	snprintf(r->what, sizeof r->what, "%s", what);
	snprintf(r->fb, sizeof r->fb, "%s", fb);
	snprintf(r->ref, sizeof r->ref, "%s", ref);
	snprintf(r->budget, sizeof r->budget, "%s", budget);
	snprintf(r->verdict, sizeof r->verdict, "%s", verdict);
	fprintf(stderr, "  %s: %s (reference %s)\n", what, fb, ref);
}

static void add_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add_note(const char *fmt, ...)
{
	va_list ap;

	if (nnotes >= sizeof notes / sizeof notes[0])
		return;
	va_start(ap, fmt);
	vsnprintf(notes[nnotes++], sizeof notes[0], fmt, ap);
	va_end(ap);
}

/* Terminal columns of a UTF-8 string (East Asian wide characters count 2). */
static int u8_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int w = 0;

	while (*p) {
		uint32_t c;
		int len, k;
		if (*p < 0x80) {
			c = *p;
			len = 1;
		} else if ((*p & 0xE0) == 0xC0) {
			c = *p & 0x1F;
			len = 2;
		} else if ((*p & 0xF0) == 0xE0) {
			c = *p & 0x0F;
			len = 3;
		} else {
			c = *p & 0x07;
			len = 4;
		}
		for (k = 1; k < len && p[k]; k++)
			c = (c << 6) | (p[k] & 0x3F);
		p += k;
		w += (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF && c != 0x303F) ||
				     (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
				     (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
				     (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD)
			     ? 2
			     : 1;
	}
	return w;
}

static void put_cell(const char *s, int width, int last)
{
	int pad = width - u8_width(s);

	fputs(s, stdout);
	if (!last)
		while (pad-- > 0)
			putchar(' ');
}

static void print_table(void)
{
	const char *head[5] = {"what", "fieldbook", "reference", "ratio / budget", "verdict"};
	int w[5], i, line = 0;
	size_t r;

	for (i = 0; i < 5; i++)
		w[i] = u8_width(head[i]);
	for (r = 0; r < nrows; r++) {
		const char *c[5] = {table[r].what, table[r].fb, table[r].ref, table[r].budget, table[r].verdict};
		for (i = 0; i < 5; i++)
			if (u8_width(c[i]) > w[i])
				w[i] = u8_width(c[i]);
	}
	putchar('\n');
	for (i = 0; i < 5; i++) {
		put_cell(head[i], w[i], i == 4);
		if (i < 4)
			fputs("  ", stdout);
		line += w[i] + (i < 4 ? 2 : 0);
	}
	putchar('\n');
	for (i = 0; i < line; i++)
		putchar('-');
	putchar('\n');
	for (r = 0; r < nrows; r++) {
		const char *c[5] = {table[r].what, table[r].fb, table[r].ref, table[r].budget, table[r].verdict};
		for (i = 0; i < 5; i++) {
			put_cell(c[i], w[i], i == 4);
			if (i < 4)
				fputs("  ", stdout);
		}
		putchar('\n');
	}
	if (nnotes) {
		size_t k;
		printf("\nnotes:\n");
		for (k = 0; k < nnotes; k++)
			printf("  - %s\n", notes[k]);
	}
	fflush(stdout);
}

static const char *verdict_time(double ms, double budget_ms)
{
	return ms < budget_ms ? "within budget" : "OVER";
}

/* ---------------------------------------------------------------- the generator */

static uint64_t mix64(uint64_t z)
{
	z += 0x9E3779B97F4A7C15ULL;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

struct rng {
	uint64_t s;
};

static uint64_t rnext(struct rng *r)
{
	r->s += 0x9E3779B97F4A7C15ULL;
	return mix64(r->s);
}

static unsigned rbelow(struct rng *r, unsigned n)
{
	return (unsigned)(rnext(r) % n);
}

/* Surnames with rough frequencies (per 10,000 people, from the census rankings). */
static const struct {
	const char *s;
	int w;
} surnames[] = {
	{"王", 720}, {"李", 720}, {"张", 680}, {"刘", 540}, {"陈", 540}, {"杨", 320}, {"黄", 230},
	{"赵", 220}, {"吴", 210}, {"周", 210}, {"徐", 130}, {"孙", 120}, {"马", 120}, {"朱", 110},
	{"胡", 100}, {"郭", 100}, {"何", 90},  {"林", 90},  {"高", 90},  {"罗", 80},  {"郑", 80},
	{"梁", 70},  {"谢", 60},  {"宋", 60},  {"唐", 60},  {"许", 50},  {"韩", 50},  {"邓", 50},
	{"冯", 50},  {"曹", 50},  {"彭", 50},  {"曾", 50},  {"肖", 40},  {"田", 40},  {"董", 40},
	{"潘", 40},  {"袁", 40},  {"蔡", 40},  {"蒋", 40},  {"余", 40},  {"于", 40},  {"杜", 30},
	{"叶", 30},  {"程", 30},  {"魏", 30},  {"苏", 30},  {"吕", 30},  {"丁", 30},  {"任", 30},
	{"卢", 30},  {"姚", 30},  {"沈", 30},  {"钟", 30},  {"姜", 30},  {"崔", 30},  {"谭", 30},
	{"陆", 30},  {"范", 20},  {"汪", 20},  {"廖", 20},  {"石", 20},  {"金", 20},  {"韦", 20},
	{"贾", 20},  {"夏", 20},  {"付", 20},  {"方", 20},  {"邹", 20},  {"熊", 20},  {"白", 20},
	{"孟", 20},  {"秦", 20},  {"邱", 20},  {"侯", 20},  {"江", 20},  {"尹", 20},  {"薛", 20},
	{"闫", 20},  {"段", 20},  {"雷", 20},  {"龙", 20},  {"黎", 20},  {"史", 20},  {"陶", 20},
	{"贺", 20},  {"毛", 20},  {"郝", 20},  {"顾", 20},  {"龚", 20},  {"邵", 20},  {"万", 10},
	{"覃", 10},  {"武", 10},  {"钱", 10},  {"戴", 10},  {"严", 10},  {"莫", 10},  {"孔", 10},
	{"向", 10},  {"常", 10},  {"汤", 10},  {"康", 10},  {"易", 10},  {"乔", 10},  {"赖", 10},
	{"文", 10},
};
static const char *const compound_surnames[] = {"欧阳", "司马", "诸葛", "上官", "东方", "慕容",
						 "皇甫", "令狐"};
static const char *const given_chars[] = {
	"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
	"明", "超", "霞", "平", "刚", "辉", "玲", "桂", "华", "飞", "鹏", "宇", "浩", "凯", "健",
	"俊", "帆", "帅", "旭", "宁", "龙", "林", "斌", "波", "鑫", "婷", "雪", "琳", "晶", "倩",
	"颖", "慧", "莉", "红", "梅", "燕", "萍", "玉", "兰", "英", "秀", "志", "建", "国", "海",
	"文", "云", "峰", "东", "亮", "成", "新", "春", "金", "立", "永", "晓", "小", "佳", "欣",
	"子", "梓", "涵", "轩", "博", "一", "雨", "思", "嘉", "睿", "阳", "晨", "瑞", "泽", "欢",
	"乐", "晗", "振", "荣", "德", "文", "庆", "福", "家", "宏",
};
/* Parts of Uyghur, Mongolian and Tibetan names, written with the U+00B7 separator. */
static const char *const minority_parts[] = {
	"买买提", "艾力",   "阿不都", "吐尔逊", "热合曼", "努尔",   "古丽",   "阿依古丽", "迪丽拜尔",
	"热依拉", "伊力哈木", "玉素甫", "巴图",   "其其格", "斯琴",   "扎西",   "卓玛",     "次仁",
};
/* A rare two-character name planted in exactly three records, and as the start of the
 * three-character names of one record in 150 of the newest tenth (666 at 1M): a search
 * for it must show the three exact matches first, however many newer longer names match. */
#define RARE_NAME "檀叡"
#define RARE_LONGER_EVERY 150

/* Resident ID regions (GB/T 2260 county codes). */
static const char *const regions[] = {
	"110101", "110105", "110108", "310104", "310115", "310112", "440305", "440106", "440304",
	"330106", "320102", "510107", "420106", "610113", "370102", "500103", "350203", "410105",
	"430104", "120101", "130102", "650102", "530102", "450103",
};
#define NREGIONS (sizeof regions / sizeof regions[0])
#define NDAYS 16801 /* 1960-01-01 .. 2005-12-31 */

static const struct {
	const char *code;
	int w;
} occupations[] = {
	{"food_delivery", 30}, {"courier", 20},       {"ride_hailing", 15},  {"truck_driver", 10},
	{"domestic", 8},       {"security_guard", 6}, {"manufacturing", 5}, {"construction", 4},
	{"other", 2},
}, member_statuses[] = {
	{"non_member", 45}, {"applied", 10}, {"member", 38}, {"retained", 3}, {"transferred_out", 2},
	{"withdrawn", 2},
};

static const char *const big_employers[] = {
	"北京三快在线科技有限公司", "上海拉扎斯信息科技有限公司", "北京小桔科技有限公司",
	"顺丰速运有限公司",         "北京京邦达贸易有限公司",     "深圳依时货拉拉科技有限公司",
	"浙江菜鸟供应链管理有限公司", "中通快递股份有限公司",     "圆通速递有限公司",
	"韵达控股股份有限公司",
};
static const char *const cities[] = {
	"北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "西安", "南京", "重庆",
	"天津", "苏州", "郑州", "长沙", "东莞", "佛山", "合肥", "青岛", "济南", "厦门",
};
static const char *const brands[] = {
	"鑫达", "顺通", "恒信", "华宇", "宏图", "安捷", "速达", "众邦", "聚力", "锦程",
	"新航", "盛世", "优选", "同城", "邦达", "远航", "金桥", "瑞丰", "嘉禾", "德胜",
};
static const char *const trades[] = {
	"劳务派遣", "物流", "快递服务", "人力资源服务", "供应链管理",
	"网络科技", "家政服务", "保安服务", "建筑劳务", "运输",
};
/* A rare employer planted in one record of every 50,000. */
#define RARE_EMPLOYER "上海临港鲲鹏精密制造有限公司"
#define RARE_EMPLOYER_WORD "鲲鹏"
#define COMMON_EMPLOYER_WORD "劳务派遣"

static const char *const authors[] = {"王晓", "陈静", "李建国", "赵敏", "刘洋", "周婷"};

struct person {
	char id[FB_ID_LEN + 1];
	char name[96];
	char id_number[24];
	const char *gender;
	char birth[24];
	char mobile[12];
	const char *occupation;
	const char *member_status;
	char employer[160];
	const char *author;
	int64_t hlc;
};

/* Days since 1970-01-01 -> civil date (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* GB 11643-1999 check character of the first 17 digits. */
static char id_check(const char *d17)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	int sum = 0, i;

	for (i = 0; i < 17; i++)
		sum += (d17[i] - '0') * w[i];
	return "10X98765432"[sum % 11];
}

/* Record i of the generated data set of n records: deterministic, and the ID numbers,
 * mobiles and record ids of distinct i are distinct (bijective mixing). */
static void gen_person(struct person *p, uint64_t i, uint64_t n)
{
	struct rng r = {mix64(i ^ 0x5EED5EED5EEDULL)};
	uint64_t k, total;
	unsigned j, roll;
	int y, m, d;

	snprintf(p->id, sizeof p->id, "%016" PRIx64, mix64(i ^ 0xB0B0CAFEULL));

	/* name */
	roll = rbelow(&r, 1000);
	if (n >= 20 && (i == n / 7 || i == n / 2 + 3 || i == n - 5)) {
		snprintf(p->name, sizeof p->name, "%s", RARE_NAME);
	} else if (i >= n - n / 10 && i % RARE_LONGER_EVERY == 7) {
		snprintf(p->name, sizeof p->name, "%s%s", RARE_NAME,
			 given_chars[rbelow(&r, sizeof given_chars / sizeof given_chars[0])]);
	} else if (roll < 10) {
		snprintf(p->name, sizeof p->name, "%s·%s",
			 minority_parts[rbelow(&r, sizeof minority_parts / sizeof minority_parts[0])],
			 minority_parts[rbelow(&r, sizeof minority_parts / sizeof minority_parts[0])]);
	} else {
		const char *sur;
		unsigned ng = sizeof given_chars / sizeof given_chars[0];
		if (roll < 20) {
			sur = compound_surnames[rbelow(&r, sizeof compound_surnames /
							       sizeof compound_surnames[0])];
		} else {
			unsigned sum = 0, t;
			for (j = 0; j < sizeof surnames / sizeof surnames[0]; j++)
				sum += (unsigned)surnames[j].w;
			t = rbelow(&r, sum);
			for (j = 0; t >= (unsigned)surnames[j].w; j++)
				t -= (unsigned)surnames[j].w;
			sur = surnames[j].s;
		}
		if (roll < 270) /* two characters (or three with a compound surname) */
			snprintf(p->name, sizeof p->name, "%s%s", sur, given_chars[rbelow(&r, ng)]);
		else
			snprintf(p->name, sizeof p->name, "%s%s%s", sur, given_chars[rbelow(&r, ng)],
				 given_chars[rbelow(&r, ng)]);
	}

	/* resident ID: (region, birth day, sequence) from a bijection of i */
	total = (uint64_t)NREGIONS * NDAYS * 1000;
	k = (i * 2654435761ULL + 12345) % total;
	{
		unsigned reg = (unsigned)(k % NREGIONS);
		int64_t day = (int64_t)((k / NREGIONS) % NDAYS) - 3653; /* 1960-01-01 = day -3653 */
		unsigned seq = (unsigned)(k / NREGIONS / NDAYS);
		civil_from_days(day, &y, &m, &d);
		snprintf(p->id_number, sizeof p->id_number, "%s%04d%02d%02d%03u", regions[reg], y, m, d,
			 seq);
		p->id_number[17] = id_check(p->id_number);
		p->id_number[18] = '\0';
		p->gender = seq % 2 ? "male" : "female";
		snprintf(p->birth, sizeof p->birth, "%04d-%02d-%02d", y, m, d);
	}

	/* mobile: 1[3-9]X XXXX XXXX, a bijection of i over 7e9 numbers */
	k = (i * 4326174311ULL + 424242) % 7000000000ULL;
	snprintf(p->mobile, sizeof p->mobile, "1%u%09" PRIu64, (unsigned)(3 + k / 1000000000ULL),
		 (uint64_t)(k % 1000000000ULL));

	{
		unsigned t = rbelow(&r, 100);
		for (j = 0; t >= (unsigned)occupations[j].w; j++)
			t -= (unsigned)occupations[j].w;
		p->occupation = occupations[j].code;
		t = rbelow(&r, 100);
		for (j = 0; t >= (unsigned)member_statuses[j].w; j++)
			t -= (unsigned)member_statuses[j].w;
		p->member_status = member_statuses[j].code;
	}

	/* employer */
	if (i % 50000 == 123) {
		snprintf(p->employer, sizeof p->employer, "%s", RARE_EMPLOYER);
	} else if ((roll = rbelow(&r, 100)) < 45) {
		const char *big = big_employers[rbelow(&r, sizeof big_employers / sizeof big_employers[0])];
		if (roll < 15)
			snprintf(p->employer, sizeof p->employer, "%s%s分公司", big,
				 cities[rbelow(&r, sizeof cities / sizeof cities[0])]);
		else
			snprintf(p->employer, sizeof p->employer, "%s", big);
	} else {
		snprintf(p->employer, sizeof p->employer, "%s%s%s有限公司",
			 cities[rbelow(&r, sizeof cities / sizeof cities[0])],
			 brands[rbelow(&r, sizeof brands / sizeof brands[0])],
			 trades[rbelow(&r, sizeof trades / sizeof trades[0])]);
	}
	p->author = authors[rbelow(&r, sizeof authors / sizeof authors[0])];
	p->hlc = (GEN_BASE_MS + (int64_t)(i * (uint64_t)GEN_SPAN_MS / (n ? n : 1))) * 65536 + 1;
}

/* The six fields a durable save writes, from a generated person. */
static void person_kv(struct fb_kv kv[6], const struct person *p)
{
	kv[0] = (struct fb_kv){"name", p->name};
	kv[1] = (struct fb_kv){"id_number", p->id_number};
	kv[2] = (struct fb_kv){"mobile", p->mobile};
	kv[3] = (struct fb_kv){"occupation", p->occupation};
	kv[4] = (struct fb_kv){"employer", p->employer};
	kv[5] = (struct fb_kv){"member_status", p->member_status};
}

/* ---------------------------------------------------------------- generating the store */

struct batch {
	struct person *p;
	struct fb_op *ops;
	char (*ids)[40];
	size_t cap;
};

static void batch_fill(struct batch *b, uint64_t first, size_t count, uint64_t n)
{
	size_t r, o = 0;

	for (r = 0; r < count; r++) {
		struct person *p = &b->p[r];
		const char *fields[GEN_FIELDS] = {"_exists", "name", "id_type", "id_number", "gender",
						  "birth_date", "mobile", "occupation", "member_status",
						  "employer"};
		const char *values[GEN_FIELDS];
		int f;

		gen_person(p, first + r, n);
		values[0] = "1";
		values[1] = p->name;
		values[2] = "resident";
		values[3] = p->id_number;
		values[4] = p->gender;
		values[5] = p->birth;
		values[6] = p->mobile;
		values[7] = p->occupation;
		values[8] = p->member_status;
		values[9] = p->employer;
		for (f = 0; f < GEN_FIELDS; f++, o++) {
			snprintf(b->ids[o], sizeof b->ids[o], "%s:%" PRIu64 ".%d", GEN_DEVICE, first + r + 1,
				 f);
			b->ops[o].id = b->ids[o];
			b->ops[o].hlc = p->hlc;
			b->ops[o].author = p->author;
			b->ops[o].kind = "person";
			b->ops[o].rec = p->id;
			b->ops[o].field = fields[f];
			b->ops[o].value = values[f];
			b->ops[o].pred = "";
		}
	}
}

/* Records of the generator already in the store: its ops carry seq = record index + 1,
 * and batches are atomic, so the highest seq is the count. */
static uint64_t generated_count(const char *db_path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	uint64_t n = 0;

	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die_sql(db, "opening the store read-only");
	if (sqlite3_prepare_v2(db, "SELECT max(seq) FROM op WHERE device = ?1 AND sealed = 0", -1, &st,
			       NULL) != SQLITE_OK)
		die_sql(db, "reading the generator's progress");
	sqlite3_bind_text(st, 1, GEN_DEVICE, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

struct gen_stats {
	int generated_now; /* 0 = reused */
	double seconds;
	uint64_t records;  /* generated in this run */
	double ops_per_s, tail_ops_per_s; /* overall, and over the last 10% of the batches */
	double cpu_seconds;               /* this process's CPU time (user + system) for it */
	char from_file[256];
};

/* CPU seconds (user + system) this process has used: on a shared machine the generation's
 * wall time depends on the other work, its CPU time much less. */
static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static void generate(struct fb_store *s, const char *dir, uint64_t n, size_t batch_records,
		     struct gen_stats *gs)
{
	char path[4200], side[4200];
	uint64_t have, i;
	struct batch b;
	double t0, tail_t0 = 0, last_print, cpu0;
	uint64_t tail_from, tail_ops = 0, nbatches, bi, last_i;
	struct fb_error err = {0};
	FILE *f;

	memset(gs, 0, sizeof *gs);
	snprintf(path, sizeof path, "%s/fieldbook.db", dir);
	snprintf(side, sizeof side, "%s/bench-generation.txt", dir);
	have = generated_count(path);
	if (have > n) {
		char msg[512];
		snprintf(msg, sizeof msg,
			 "%s already holds %s generated records, more than --records %s: remove it "
			 "or give another --dir",
			 dir, grp((int64_t)have), grp((int64_t)n));
		die("generating", msg);
	}
	{
		int64_t live = 0;
		struct fb_error e2 = {0};
		if (fb_count(s, "person", &live, &e2) == 0 && (uint64_t)live > have) {
			char msg[600];
			snprintf(msg, sizeof msg,
				 "%s holds %s person records that this generator did not make (an "
				 "older version of the benchmark data?): remove the directory or give "
				 "another --dir",
				 dir, grp(live - (int64_t)have));
			die("generating", msg);
		}
	}
	if (have == n) {
		if ((f = fopen(side, "r")) != NULL) {
			char line[256];
			if (!fgets(gs->from_file, sizeof gs->from_file, f))
				gs->from_file[0] = '\0';
			gs->from_file[strcspn(gs->from_file, "\n")] = '\0';
			if (fgets(line, sizeof line, f) &&
			    sscanf(line, "ops_per_s=%lf tail_ops_per_s=%lf", &gs->ops_per_s,
				   &gs->tail_ops_per_s) != 2)
				gs->ops_per_s = gs->tail_ops_per_s = 0;
			fclose(f);
		}
		fprintf(stderr, "reusing %s: it holds the %s generated records\n", dir, grp((int64_t)n));
		return;
	}
	if (have)
		fprintf(stderr, "resuming the generation at record %s of %s\n", grp((int64_t)have),
			grp((int64_t)n));
	else
		fprintf(stderr, "generating %s records (%s ops) in %s, %zu records a batch\n",
			grp((int64_t)n), grp((int64_t)n * GEN_FIELDS), dir, batch_records);
	b.cap = batch_records;
	b.p = calloc(b.cap, sizeof *b.p);
	b.ops = calloc(b.cap * GEN_FIELDS, sizeof *b.ops);
	b.ids = calloc(b.cap * GEN_FIELDS, sizeof *b.ids);
	if (!b.p || !b.ops || !b.ids)
		die("generating", "out of memory");
	/* the last tenth of the batches (at least one) is timed on its own */
	nbatches = (n - have + batch_records - 1) / batch_records;
	tail_from = nbatches - (nbatches / 10 ? nbatches / 10 : 1);
	t0 = last_print = now_ms();
	cpu0 = cpu_seconds();
	last_i = have;
	for (i = have, bi = 0; i < n; i += batch_records, bi++) {
		size_t count = (size_t)(n - i < batch_records ? n - i : batch_records), applied = 0;
		double t;
		if (bi == tail_from)
			tail_t0 = now_ms();
		batch_fill(&b, i, count, n);
		if (fb_store_apply_ops(s, b.ops, count * GEN_FIELDS, &applied, &err) < 0)
			die_fb("fb_store_apply_ops", &err);
		if (applied != count * GEN_FIELDS)
			die("generating", "fb_store_apply_ops skipped ops of a new batch");
		if (tail_t0 != 0)
			tail_ops += applied;
		t = now_ms();
		if (t - last_print > 30000 || i + count == n) {
			fprintf(stderr, "  %s / %s records, %.0f s, %s ops/s so far, %s ops/s lately\n",
				grp((int64_t)(i + count)), grp((int64_t)n), (t - t0) / 1000,
				grp((int64_t)((double)(i + count - have) * GEN_FIELDS / ((t - t0) / 1000))),
				grp((int64_t)((double)(i + count - last_i) * GEN_FIELDS /
					      ((t - last_print) / 1000))));
			last_print = t;
			last_i = i + count;
		}
	}
	gs->generated_now = 1;
	gs->cpu_seconds = cpu_seconds() - cpu0;
	gs->seconds = (now_ms() - t0) / 1000;
	gs->records = n - have;
	gs->ops_per_s = (double)gs->records * GEN_FIELDS / gs->seconds;
	gs->tail_ops_per_s = tail_t0 ? (double)tail_ops / ((now_ms() - tail_t0) / 1000) : 0;
	free(b.p);
	free(b.ops);
	free(b.ids);
	if ((f = fopen(side, "w")) != NULL) {
		fprintf(f,
			"%s records generated%s in %.1f s: %s ops/s overall, %s ops/s over the last "
			"10%% of the batches (%zu records a batch)\n",
			grp((int64_t)gs->records), have ? " (resumed)" : "", gs->seconds,
			grp((int64_t)gs->ops_per_s), grp((int64_t)gs->tail_ops_per_s), batch_records);
		fprintf(f, "ops_per_s=%.0f tail_ops_per_s=%.0f\n", gs->ops_per_s, gs->tail_ops_per_s);
		fclose(f);
	}
}

/* ---------------------------------------------------------------- the raw reference */

static void exec_or_die(sqlite3 *db, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		die(what, msg ? msg : sqlite3_errmsg(db));
}

static int64_t raw_count(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	if (access(path, F_OK) != 0)
		return -1;
	/* rows made by another version of the generator do not count */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM person WHERE EXISTS (SELECT 1 FROM bench_meta"
				   " WHERE generator = ?1)",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, GEN_DEVICE, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* Builds (or reuses) the raw reference database; returns the seconds it took, 0 if reused. */
static double make_raw(const char *path, uint64_t n)
{
	char tmp[4300];
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	struct person p;
	uint64_t i;
	double t0;

	if (raw_count(path) == (int64_t)n) {
		fprintf(stderr, "reusing the raw reference %s\n", path);
		return 0;
	}
	fprintf(stderr, "building the raw reference %s\n", path);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	unlink(tmp);
	unlink(path);
	t0 = now_ms();
	if (sqlite3_open(tmp, &db) != SQLITE_OK)
		die_sql(db, "creating the raw reference");
	exec_or_die(db,
		    "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-200000;"
		    "CREATE TABLE person(id TEXT PRIMARY KEY, name, id_number, mobile, updated INTEGER);"
		    "CREATE TABLE bench_meta(generator TEXT);"
		    "INSERT INTO bench_meta VALUES('" GEN_DEVICE "');",
		    "creating the raw reference");
	if (sqlite3_prepare_v2(db, "INSERT INTO person(id, name, id_number, mobile, updated)"
				   " VALUES(?1, ?2, ?3, ?4, ?5)",
			       -1, &ins, NULL) != SQLITE_OK)
		die_sql(db, "preparing");
	exec_or_die(db, "BEGIN", "filling the raw reference");
	for (i = 0; i < n; i++) {
		gen_person(&p, i, n);
		sqlite3_bind_text(ins, 1, p.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, p.name, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, p.id_number, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, p.mobile, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 5, p.hlc);
		if (sqlite3_step(ins) != SQLITE_DONE)
			die_sql(db, "filling the raw reference");
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	exec_or_die(db,
		    "COMMIT;"
		    "CREATE INDEX person_updated ON person(updated);"
		    "CREATE INDEX person_id_number ON person(id_number);"
		    "CREATE INDEX person_mobile ON person(mobile);"
		    "CREATE VIRTUAL TABLE person_fts USING fts5(name, content='person',"
		    " content_rowid='rowid', tokenize='trigram');"
		    "INSERT INTO person_fts(person_fts) VALUES('rebuild');"
		    "PRAGMA wal_checkpoint(TRUNCATE);",
		    "indexing the raw reference");
	sqlite3_close(db);
	if (rename(tmp, path) != 0)
		die("renaming the raw reference", strerror(errno));
	return (now_ms() - t0) / 1000;
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die_sql(db, sql);
	return st;
}

/* Steps st to the end; returns the number of rows. */
static int64_t drain(sqlite3_stmt *st)
{
	int64_t rows = 0;
	int r;

	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int c, nc = sqlite3_column_count(st);
		for (c = 0; c < nc; c++)
			(void)sqlite3_column_text(st, c);
		rows++;
	}
	if (r != SQLITE_DONE)
		die_sql(sqlite3_db_handle(st), "querying the raw reference");
	sqlite3_reset(st);
	return rows;
}

/* ---------------------------------------------------------------- callbacks */

struct collect {
	size_t n;
	char last[FB_ID_LEN + 1];
	char ids[64][FB_ID_LEN + 1];
	char first_match[16];
};

static int collect_cb(const struct fb_row *row, void *ctx)
{
	struct collect *c = ctx;

	if (c->n < 64)
		snprintf(c->ids[c->n], sizeof c->ids[0], "%s", row->id);
	if (c->n == 0 && row->match)
		snprintf(c->first_match, sizeof c->first_match, "%s", row->match);
	c->n++;
	snprintf(c->last, sizeof c->last, "%s", row->id);
	return 0;
}

static int collected(const struct collect *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->n && i < 64; i++)
		if (!strcmp(c->ids[i], id))
			return 1;
	return 0;
}

/* ---------------------------------------------------------------- measurements */

#define SEARCH_RUNS 30

/* Median ms of fb_search(text, kind); c gets the last run's rows. */
static double time_search(struct fb_store *s, const char *text, const char *kind, struct collect *c)
{
	double t[SEARCH_RUNS];
	struct fb_error err = {0};
	int k;

	for (k = 0; k < SEARCH_RUNS; k++) {
		double t0 = now_ms();
		memset(c, 0, sizeof *c);
		if (fb_search(s, text, kind, 0, 0, collect_cb, c, &err) < 0)
			die_fb("fb_search", &err);
		t[k] = now_ms() - t0;
	}
	return median(t, SEARCH_RUNS);
}

/* Median ms of a raw query with one text parameter; *rows gets the row count. */
static double time_raw(sqlite3_stmt *st, const char *param, int64_t *rows)
{
	double t[SEARCH_RUNS];
	int k;

	for (k = 0; k < SEARCH_RUNS; k++) {
		double t0 = now_ms();
		sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
		*rows = drain(st);
		t[k] = now_ms() - t0;
	}
	return median(t, SEARCH_RUNS);
}

static void search_row(const char *what, double fb_ms, size_t fb_hits, const char *ref)
{
	char fb[64];

	snprintf(fb, sizeof fb, "%s (%zu shown)", fmt_ms(fb_ms), fb_hits);
	add_row(what, fb, ref, "< 50 ms", verdict_time(fb_ms, 50));
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_store [--records N] [--dir DIR] [--batch RECORDS] [--saves N]\n"
			"  --records N      records to generate (default 1000000)\n"
			"  --dir DIR        store directory (default build/bench/store)\n"
			"  --batch RECORDS  records per fb_store_apply_ops call (default 5000)\n"
			"  --saves N        durable saves to time (default 300)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t n = 1000000;
	size_t batch_records = 5000, nsaves = 300;
	const char *dir = "build/bench/store";
	char db_path[4200], raw_path[4200], empty_dir[4200], buf[256], ref[128], what[160];
	struct fb_store *s = NULL;
	struct fb_error err = {0};
	struct gen_stats gs;
	sqlite3 *raw = NULL;
	double raw_build_s, t0;
	int a;

	unsetenv("FIELDBOOK_NOW"); /* real clocks only */
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--records") && a + 1 < argc)
			n = strtoull(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "--dir") && a + 1 < argc)
			dir = argv[++a];
		else if (!strcmp(argv[a], "--batch") && a + 1 < argc)
			batch_records = (size_t)strtoull(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "--saves") && a + 1 < argc)
			nsaves = (size_t)strtoull(argv[++a], NULL, 10);
		else
			usage();
	}
	if (n < 100 || batch_records < 1 || nsaves < 10)
		usage();
	snprintf(db_path, sizeof db_path, "%s/fieldbook.db", dir);
	snprintf(raw_path, sizeof raw_path, "%s/raw-reference.db", dir);
	snprintf(empty_dir, sizeof empty_dir, "%s/empty-store", dir);
	printf("fieldbook store benchmark: %s records in %s (%s)\n", grp((int64_t)n), dir,
	       fb_core_versions());
	fflush(stdout);

	/* ---- the data ---- */
	if (access(db_path, F_OK) == 0) {
		if (fb_store_open(&s, dir, &err) < 0)
			die_fb("fb_store_open", &err);
	} else {
		struct fb_init_options o = {"bench", "", "bench"};
		if (fb_store_init(&s, dir, &o, &err) < 0)
			die_fb("fb_store_init", &err);
	}
	generate(s, dir, n, batch_records, &gs);
	raw_build_s = make_raw(raw_path, n);
	/* Generating leaves gigabytes of dirty pages; their write-back would slow down every
	 * fsync measured below (the save figures), so flush them first. */
	t0 = now_ms();
	sync();
	fprintf(stderr, "sync: %.1f s\n", (now_ms() - t0) / 1000);
	if (sqlite3_open_v2(raw_path, &raw, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		die_sql(raw, "opening the raw reference");
	/* the same durability and cache settings as the store */
	exec_or_die(raw, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-16000;",
		    "configuring the raw reference");

	if (gs.generated_now) {
		snprintf(what, sizeof what, "generate %s records (%s ops), %zu a batch",
			 grp((int64_t)gs.records), grp((int64_t)gs.records * GEN_FIELDS), batch_records);
		snprintf(buf, sizeof buf, "%.1f s", gs.seconds);
		if (raw_build_s > 0)
			snprintf(ref, sizeof ref, "raw build %.1f s", raw_build_s);
		else
			snprintf(ref, sizeof ref, "(raw reused)");
		add_row(what, buf, ref, "", "info");
		snprintf(buf, sizeof buf, "%s ops/s", grp((int64_t)gs.ops_per_s));
		add_row("ingest: fb_store_apply_ops, whole generation", buf, "—", "≥ 100,000 ops/s",
			gs.ops_per_s >= 100000 ? "within budget" : "OVER");
		snprintf(buf, sizeof buf, "%s ops/s", grp((int64_t)gs.tail_ops_per_s));
		add_row("ingest: last 10% of the batches (at full size)", buf, "—", "≥ 100,000 ops/s",
			gs.tail_ops_per_s >= 100000 ? "within budget" : "OVER");
		if (gs.cpu_seconds > 0) {
			snprintf(buf, sizeof buf, "%s ops/s", grp((int64_t)(gs.records * GEN_FIELDS / gs.cpu_seconds)));
			add_row("ingest: ops per CPU second of the generation", buf, "—",
				"(other load on the machine aside)", "info");
			add_note("the generation used %.1f s of CPU in %.1f s (%.0f %% of one core)",
				 gs.cpu_seconds, gs.seconds, 100 * gs.cpu_seconds / gs.seconds);
		}
	} else {
		add_row("generation", "reused", raw_build_s > 0 ? "raw rebuilt" : "(raw reused)", "", "info");
		add_note("the store was reused; its generation: %s",
			 gs.from_file[0] ? gs.from_file : "(no record of it)");
		if (gs.ops_per_s > 0) {
			snprintf(buf, sizeof buf, "%s ops/s", grp((int64_t)gs.ops_per_s));
			add_row("ingest: whole generation (earlier run)", buf, "—", "≥ 100,000 ops/s",
				gs.ops_per_s >= 100000 ? "within budget" : "OVER");
			snprintf(buf, sizeof buf, "%s ops/s", grp((int64_t)gs.tail_ops_per_s));
			add_row("ingest: last 10% of the batches (earlier run)", buf, "—", "≥ 100,000 ops/s",
				gs.tail_ops_per_s >= 100000 ? "within budget" : "OVER");
		}
	}

	/* ---- 1. durable save of one record ---- */
	{
		char (*ids)[FB_ID_LEN + 1] = calloc(nsaves + 5, sizeof *ids);
		sqlite3_stmt *ins = prep(raw, "INSERT INTO person(id, name, id_number, mobile, updated)"
					      " VALUES(?1, ?2, ?3, ?4, ?5)");
		sqlite3_stmt *maxrow = prep(raw, "SELECT max(rowid) FROM person");
		sqlite3_stmt *del = prep(raw, "DELETE FROM person WHERE rowid > ?1");
		int64_t raw_max;
		double fb_ms = 0, raw_ms = 0, fb_rate, raw_rate, ratio, *pair, fb_blk;
		size_t npair = 0;
		size_t done = 0, k;
		const size_t block = 10, warm = 5;

		fprintf(stderr, "1. durable saves (%zu, in blocks of %zu alternating with raw)\n", nsaves,
			block);
		pair = calloc(nsaves / block + 1, sizeof *pair);
		if (!ids || !pair)
			die("saving", "out of memory");
		sqlite3_step(maxrow);
		raw_max = sqlite3_column_int64(maxrow, 0);
		sqlite3_finalize(maxrow);
		/* warm-up, untimed: statements get prepared, pages cached */
		for (k = 0; k < warm; k++) {
			struct person p;
			gen_person(&p, n + nsaves + k, n);
			{
				struct fb_kv kv[6];
				person_kv(kv, &p);
				if (fb_record_add(s, ids[nsaves + k], "person", kv, 6, NULL, 0, &err) < 0)
					die_fb("fb_record_add", &err);
			}
			exec_or_die(raw, "BEGIN IMMEDIATE", "raw insert");
			sqlite3_bind_text(ins, 1, p.id, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, p.name, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, p.id_number, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 4, p.mobile, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 5, p.hlc);
			if (sqlite3_step(ins) != SQLITE_DONE)
				die_sql(raw, "raw insert");
			sqlite3_reset(ins);
			exec_or_die(raw, "COMMIT", "raw insert");
		}
		while (done < nsaves) {
			size_t m = nsaves - done < block ? nsaves - done : block;
			t0 = now_ms();
			for (k = 0; k < m; k++) {
				struct person p;
				gen_person(&p, n + done + k, n);
				{
					struct fb_kv kv[6];
					person_kv(kv, &p);
					if (fb_record_add(s, ids[done + k], "person", kv, 6, NULL, 0, &err) < 0)
						die_fb("fb_record_add", &err);
				}
			}
			fb_blk = now_ms() - t0;
			fb_ms += fb_blk;
			t0 = now_ms();
			for (k = 0; k < m; k++) {
				struct person p;
				gen_person(&p, n + done + k, n);
				exec_or_die(raw, "BEGIN IMMEDIATE", "raw insert");
				sqlite3_bind_text(ins, 1, p.id, -1, SQLITE_STATIC);
				sqlite3_bind_text(ins, 2, p.name, -1, SQLITE_STATIC);
				sqlite3_bind_text(ins, 3, p.id_number, -1, SQLITE_STATIC);
				sqlite3_bind_text(ins, 4, p.mobile, -1, SQLITE_STATIC);
				sqlite3_bind_int64(ins, 5, p.hlc);
				if (sqlite3_step(ins) != SQLITE_DONE)
					die_sql(raw, "raw insert");
				sqlite3_reset(ins);
				exec_or_die(raw, "COMMIT", "raw insert");
			}
			raw_ms += now_ms() - t0;
			/* fieldbook's rate over raw's in this pair of blocks, in per cent */
			pair[npair++] = (now_ms() - t0) / fb_blk * 100;
			done += m;
		}
		sqlite3_finalize(ins);
		fb_rate = (double)nsaves / (fb_ms / 1000);
		raw_rate = (double)nsaves / (raw_ms / 1000);
		/* fsync latency drifts with whatever else the machine does: the median of the
		 * ratios of neighbouring blocks is steadier than the ratio of the totals */
		ratio = median(pair, npair);
		snprintf(what, sizeof what, "durable save of one record (6 fields), %zu saves", nsaves);
		snprintf(buf, sizeof buf, "%s saves/s", grp((int64_t)fb_rate));
		snprintf(ref, sizeof ref, "%s rows/s", grp((int64_t)raw_rate));
		{
			char b2[64];
			snprintf(b2, sizeof b2, "%.0f %% (budget ≥ 50 %%)", ratio);
			add_row(what, buf, ref, b2, ratio >= 50 ? "within budget" : "OVER");
		}
		add_note("a save costs %.2f ms in fieldbook, a raw single-row transaction %.2f ms; "
			 "the save ratio is the median over %zu pairs of alternating blocks of %zu "
			 "(from %.0f %% to %.0f %%; ratio of the totals %.0f %%)",
			 fb_ms / (double)nsaves, raw_ms / (double)nsaves, npair, block, pair[0],
			 pair[npair - 1], fb_rate / raw_rate * 100);
		free(pair);

		/* clean up so that re-runs see the same data: tombstones in the store, rows gone
		 * from the raw table */
		t0 = now_ms();
		for (k = 0; k < nsaves + warm; k++)
			if (fb_record_delete(s, ids[k], &err) < 0)
				die_fb("fb_record_delete", &err);
		add_note("deleting the %zu saved records again: %.2f ms a delete", nsaves + warm,
			 (now_ms() - t0) / (double)(nsaves + warm));
		sqlite3_bind_int64(del, 1, raw_max);
		if (sqlite3_step(del) != SQLITE_DONE)
			die_sql(raw, "raw cleanup");
		sqlite3_finalize(del);
		free(ids);
	}

	/* ---- 2. lists ---- */
	{
		enum { RUNS = 50 };
		double t[RUNS], fb_first, raw_first, fb_deep, raw_deep, page_mean;
		struct fb_list_query q = {0};
		struct collect c;
		sqlite3_stmt *first = prep(raw, "SELECT id, name, id_number, mobile, updated FROM person"
						" ORDER BY updated DESC LIMIT 50");
		sqlite3_stmt *deep = prep(raw, "SELECT id, name, id_number, mobile, updated FROM person"
					       " WHERE updated < ?1 ORDER BY updated DESC LIMIT 50");
		sqlite3_stmt *upd = prep(raw, "SELECT updated FROM person WHERE id = ?1");
		uint64_t depth = n / 10 > 100000 ? 100000 : n / 10, pages, pg;
		char cursor[FB_ID_LEN + 1];
		int64_t cursor_upd = 0;
		int k;

		fprintf(stderr, "2. lists\n");
		q.kind = "person";
		q.limit = 50;
		for (k = 0; k < RUNS; k++) {
			memset(&c, 0, sizeof c);
			t0 = now_ms();
			if (fb_list(s, &q, collect_cb, &c, &err) < 0)
				die_fb("fb_list", &err);
			t[k] = now_ms() - t0;
		}
		fb_first = median(t, RUNS);
		if (c.n != 50)
			add_note("fb_list first page returned %zu rows, not 50", c.n);
		for (k = 0; k < RUNS; k++) {
			t0 = now_ms();
			drain(first);
			t[k] = now_ms() - t0;
		}
		raw_first = median(t, RUNS);
		snprintf(buf, sizeof buf, "%.1fx raw; < 10 ms", fb_first / raw_first);
		add_row("list: first page of 50 (median of 50)", fmt_ms(fb_first), fmt_ms(raw_first), buf,
			verdict_time(fb_first, 10));

		/* page down to depth, by keyset */
		pages = depth / 50;
		cursor[0] = '\0';
		t0 = now_ms();
		for (pg = 0; pg < pages; pg++) {
			memset(&c, 0, sizeof c);
			q.after = cursor[0] ? cursor : NULL;
			if (fb_list(s, &q, collect_cb, &c, &err) < 0)
				die_fb("fb_list", &err);
			if (c.n == 0)
				break;
			memcpy(cursor, c.last, sizeof cursor);
		}
		page_mean = (now_ms() - t0) / (double)(pg ? pg : 1);
		snprintf(what, sizeof what, "list: paging down %s rows, mean per page",
			 grp((int64_t)(pg * 50)));
		add_row(what, fmt_ms(page_mean), "—", "< 10 ms", verdict_time(page_mean, 10));

		q.after = cursor;
		for (k = 0; k < RUNS; k++) {
			memset(&c, 0, sizeof c);
			t0 = now_ms();
			if (fb_list(s, &q, collect_cb, &c, &err) < 0)
				die_fb("fb_list", &err);
			t[k] = now_ms() - t0;
		}
		fb_deep = median(t, RUNS);
		sqlite3_bind_text(upd, 1, cursor, -1, SQLITE_STATIC);
		if (sqlite3_step(upd) == SQLITE_ROW)
			cursor_upd = sqlite3_column_int64(upd, 0);
		else
			add_note("the deep-page cursor %s is not in the raw reference", cursor);
		sqlite3_finalize(upd);
		for (k = 0; k < RUNS; k++) {
			t0 = now_ms();
			sqlite3_bind_int64(deep, 1, cursor_upd);
			drain(deep);
			t[k] = now_ms() - t0;
		}
		raw_deep = median(t, RUNS);
		snprintf(what, sizeof what, "list: keyset page at depth %s (median of 50)",
			 grp((int64_t)(pg * 50)));
		snprintf(buf, sizeof buf, "%.1fx raw; < 10 ms", fb_deep / raw_deep);
		add_row(what, fmt_ms(fb_deep), fmt_ms(raw_deep), buf, verdict_time(fb_deep, 10));
		sqlite3_finalize(first);
		sqlite3_finalize(deep);

		/* filtered lists: by the status field (its own index), and by a rare value of
		 * another field (an EXISTS probe per row of the list index) */
		{
			struct fb_kv fl = {"member_status", "member"};
			q.after = NULL;
			q.filters = &fl;
			q.nfilters = 1;
			for (k = 0; k < 10; k++) {
				memset(&c, 0, sizeof c);
				t0 = now_ms();
				if (fb_list(s, &q, collect_cb, &c, &err) < 0)
					die_fb("fb_list", &err);
				t[k] = now_ms() - t0;
			}
			fb_first = median(t, 10);
			add_row("list: filter member_status=member, first page", fmt_ms(fb_first), "—",
				"< 10 ms", verdict_time(fb_first, 10));
			fl.field = "employer";
			fl.value = RARE_EMPLOYER;
			for (k = 0; k < 3; k++) {
				memset(&c, 0, sizeof c);
				t0 = now_ms();
				if (fb_list(s, &q, collect_cb, &c, &err) < 0)
					die_fb("fb_list", &err);
				t[k] = now_ms() - t0;
			}
			fb_first = median(t, 3);
			snprintf(what, sizeof what, "list: filter employer=<rare, %s rows>, first page",
				 grp((int64_t)c.n));
			add_row(what, fmt_ms(fb_first), "—", "< 10 ms", verdict_time(fb_first, 10));
		}
	}

	/* ---- 3. open a record ---- */
	{
		enum { RUNS = 200 };
		double t[RUNS], fb_ms, raw_ms;
		sqlite3_stmt *get = prep(raw, "SELECT * FROM person WHERE id = ?1");
		struct rng r = {42};
		int k;

		fprintf(stderr, "3. open a record\n");
		for (k = 0; k < RUNS; k++) {
			struct person p;
			struct fb_record *rec = NULL;
			gen_person(&p, rnext(&r) % n, n);
			t0 = now_ms();
			if (fb_record_get(&rec, s, p.id, &err) < 0)
				die_fb("fb_record_get", &err);
			t[k] = now_ms() - t0;
			if (!fb_record_value(rec, "mobile") || strcmp(fb_record_value(rec, "mobile"), p.mobile))
				add_note("record %s: mobile does not match what was generated", p.id);
			fb_record_free(rec);
		}
		fb_ms = median(t, RUNS);
		add_note("fb_record_get: median %s, p95 %s, max %s over %d random records",
			 fmt_ms(fb_ms), fmt_ms(pct(t, RUNS, 95)), fmt_ms(t[RUNS - 1]), RUNS);
		r.s = 42;
		for (k = 0; k < RUNS; k++) {
			struct person p;
			gen_person(&p, rnext(&r) % n, n);
			t0 = now_ms();
			sqlite3_bind_text(get, 1, p.id, -1, SQLITE_STATIC);
			if (drain(get) != 1)
				add_note("raw: record %s not found", p.id);
			t[k] = now_ms() - t0;
		}
		raw_ms = median(t, RUNS);
		sqlite3_finalize(get);
		snprintf(buf, sizeof buf, "%.1fx raw; < 10 ms", fb_ms / raw_ms);
		add_row("open a record: fb_record_get, random ids", fmt_ms(fb_ms), fmt_ms(raw_ms), buf,
			verdict_time(fb_ms, 10));
	}

	/* ---- 4. search ---- */
	{
		sqlite3_stmt *tri = prep(raw, "SELECT p.id, p.name FROM person_fts f JOIN person p"
					      " ON p.rowid = f.rowid WHERE person_fts MATCH ?1 LIMIT 50");
		sqlite3_stmt *tri_count = prep(raw, "SELECT count(*) FROM person_fts WHERE person_fts MATCH ?1");
		sqlite3_stmt *by_idn = prep(raw, "SELECT id, name FROM person WHERE id_number = ?1");
		sqlite3_stmt *by_mob = prep(raw, "SELECT id, name FROM person WHERE mobile = ?1");
		sqlite3_stmt *by_m4 = prep(raw, "SELECT id, name FROM person WHERE mobile LIKE ?1");
		sqlite3_stmt *scan = prep(raw, "SELECT count(*) FROM person WHERE name LIKE ?1");
		struct person target, three;
		struct collect c;
		double fb_ms, raw_ms;
		int64_t rows = 0, scan_rows = 0, tri_rows = 0;
		uint64_t i3;
		char quoted[128], like[128];

		fprintf(stderr, "4. search\n");
		gen_person(&target, n / 2 + 1, n);

		/* two-character common name */
		fb_ms = time_search(s, "张伟", NULL, &c);
		snprintf(quoted, sizeof quoted, "\"%s\"", "张伟");
		sqlite3_bind_text(tri_count, 1, quoted, -1, SQLITE_STATIC);
		sqlite3_step(tri_count);
		tri_rows = sqlite3_column_int64(tri_count, 0);
		sqlite3_reset(tri_count);
		t0 = now_ms();
		sqlite3_bind_text(scan, 1, "%张伟%", -1, SQLITE_STATIC);
		sqlite3_step(scan);
		scan_rows = sqlite3_column_int64(scan, 0);
		sqlite3_reset(scan);
		raw_ms = now_ms() - t0;
		snprintf(ref, sizeof ref, "trigram: %s rows", grp(tri_rows));
		search_row("search: 2-char name 张伟", fb_ms, c.n, ref);
		add_note("张伟: the FTS5 trigram table finds %s rows; a LIKE scan finds %s names "
			 "containing it (%s); fieldbook shows %zu (limit 20), first match '%s'",
			 grp(tri_rows), grp(scan_rows), fmt_ms(raw_ms), c.n, c.first_match);
		fb_ms = time_search(s, "张伟", "person", &c);
		search_row("search: 2-char name 张伟, kind=person", fb_ms, c.n, "—");

		/* the planted rare two-character name */
		fb_ms = time_search(s, RARE_NAME, NULL, &c);
		snprintf(quoted, sizeof quoted, "\"%s\"", RARE_NAME);
		sqlite3_bind_text(tri_count, 1, quoted, -1, SQLITE_STATIC);
		sqlite3_step(tri_count);
		tri_rows = sqlite3_column_int64(tri_count, 0);
		sqlite3_reset(tri_count);
		snprintf(ref, sizeof ref, "trigram: %s rows", grp(tri_rows));
		{
			struct person p1, p2, p3;
			struct collect top = c;
			uint64_t longer = 0, j;
			for (j = n - n / 10; j < n; j++)
				longer += j % RARE_LONGER_EVERY == 7;
			snprintf(what, sizeof what, "search: 2-char name %s (3 exact, %s newer %s…)",
				 RARE_NAME, grp((int64_t)longer), RARE_NAME);
			search_row(what, fb_ms, c.n, ref);
			gen_person(&p1, n / 7, n);
			gen_person(&p2, n / 2 + 3, n);
			gen_person(&p3, n - 5, n);
			top.n = c.n < 3 ? c.n : 3;
			if (!collected(&top, p1.id) || !collected(&top, p2.id) || !collected(&top, p3.id))
				add_note("WRONG: search %s must show its 3 exact matches first; %d of the 3 "
					 "are among the first 3 of %zu shown (exact matches older than the "
					 "newest 500 text hits are lost)",
					 RARE_NAME,
					 collected(&top, p1.id) + collected(&top, p2.id) + collected(&top, p3.id),
					 c.n);
		}

		/* a three-character name of a generated record */
		for (i3 = n / 3; i3 < n; i3++) {
			gen_person(&three, i3, n);
			if (strlen(three.name) == 9 && !strstr(three.name, "·"))
				break;
		}
		fb_ms = time_search(s, three.name, NULL, &c);
		if (!collected(&c, three.id))
			add_note("search %s: record %s (that name) is not among the %zu shown", three.name,
				 three.id, c.n);
		snprintf(quoted, sizeof quoted, "\"%s\"", three.name);
		raw_ms = time_raw(tri, quoted, &rows);
		snprintf(what, sizeof what, "search: 3-char name %s", three.name);
		snprintf(ref, sizeof ref, "%s (trigram, %s rows)", fmt_ms(raw_ms), grp(rows));
		search_row(what, fb_ms, c.n, ref);

		/* ID number */
		fb_ms = time_search(s, target.id_number, NULL, &c);
		if (c.n < 1 || strcmp(c.ids[0], target.id))
			add_note("WRONG: search by ID number %s did not show record %s first",
				 target.id_number, target.id);
		raw_ms = time_raw(by_idn, target.id_number, &rows);
		snprintf(ref, sizeof ref, "%s (index, %s rows)", fmt_ms(raw_ms), grp(rows));
		search_row("search: ID number (18 chars)", fb_ms, c.n, ref);

		/* mobile */
		fb_ms = time_search(s, target.mobile, NULL, &c);
		if (c.n < 1 || strcmp(c.ids[0], target.id))
			add_note("WRONG: search by mobile %s did not show record %s first", target.mobile,
				 target.id);
		raw_ms = time_raw(by_mob, target.mobile, &rows);
		snprintf(ref, sizeof ref, "%s (index, %s rows)", fmt_ms(raw_ms), grp(rows));
		search_row("search: mobile (11 digits)", fb_ms, c.n, ref);

		/* mobile, last 4 digits */
		fb_ms = time_search(s, target.mobile + 7, NULL, &c);
		if (!c.n)
			add_note("WRONG: search by the last 4 digits %s of a mobile showed nothing",
				 target.mobile + 7);
		snprintf(like, sizeof like, "%%%.4s", target.mobile + 7);
		{
			double tt[3];
			int k;
			for (k = 0; k < 3; k++) {
				t0 = now_ms();
				sqlite3_bind_text(by_m4, 1, like, -1, SQLITE_STATIC);
				rows = drain(by_m4);
				tt[k] = now_ms() - t0;
			}
			raw_ms = median(tt, 3);
		}
		snprintf(ref, sizeof ref, "%s (LIKE scan, %s rows)", fmt_ms(raw_ms), grp(rows));
		search_row("search: mobile last 4 digits", fb_ms, c.n, ref);

		/* free text in the employer */
		fb_ms = time_search(s, RARE_EMPLOYER_WORD, NULL, &c);
		snprintf(what, sizeof what, "search: free text %s (rare employer word)", RARE_EMPLOYER_WORD);
		search_row(what, fb_ms, c.n, "—");
		if (c.n != (n + 49999 - 123) / 50000 && c.n < 20)
			add_note("search %s showed %zu records; %s have that employer", RARE_EMPLOYER_WORD,
				 c.n, grp((int64_t)((n + 49999 - 123) / 50000)));
		fb_ms = time_search(s, COMMON_EMPLOYER_WORD, NULL, &c);
		snprintf(what, sizeof what, "search: free text %s (common employer word)",
			 COMMON_EMPLOYER_WORD);
		search_row(what, fb_ms, c.n, "—");

		sqlite3_finalize(tri);
		sqlite3_finalize(tri_count);
		sqlite3_finalize(by_idn);
		sqlite3_finalize(by_mob);
		sqlite3_finalize(by_m4);
		sqlite3_finalize(scan);
	}

	/* ---- opening: the home screen's first work (open, count, first page) vs empty ---- */
	{
		enum { RUNS = 10 };
		double t[RUNS], full_ms = 0, empty_ms = 0, page_ms = 0;
		char page_dir[4300];
		struct fb_store *e = NULL;
		struct fb_list_query q = {0};
		struct collect c;
		int64_t cnt = 0;
		int k, pass;

		fprintf(stderr, "5. opening, size\n");
		if (access(empty_dir, F_OK) != 0) {
			struct fb_init_options o = {"bench-empty", "", "bench"};
			if (fb_store_init(&e, empty_dir, &o, &err) < 0)
				die_fb("fb_store_init (empty)", &err);
			fb_store_free(e);
		}
		/* A store holding one page of records: the same work as the full store's first
		 * screen (50 rows to read), so the comparison isolates growth with size; the
		 * empty store draws no rows at all. */
		snprintf(page_dir, sizeof page_dir, "%s-page", empty_dir);
		if (access(page_dir, F_OK) != 0) {
			struct fb_init_options o = {"bench-page", "", "bench"};
			char pid[64];
			if (fb_store_init(&e, page_dir, &o, &err) < 0)
				die_fb("fb_store_init (one page)", &err);
			for (k = 0; k < 50; k++) {
				struct person p;
				gen_person(&p, (uint64_t)k, n);
				struct fb_kv kv[6];
				person_kv(kv, &p);
				if (fb_record_add(e, pid, "person", kv, 6, NULL, 0, &err) < 0)
					die_fb("fb_record_add (one page)", &err);
			}
			fb_store_free(e);
		}
		q.kind = "person";
		q.limit = 50;
		memset(&c, 0, sizeof c);
		for (pass = 0; pass < 3; pass++) {
			const char *d = pass == 2 ? dir : pass ? page_dir : empty_dir;
			for (k = 0; k < RUNS; k++) {
				t0 = now_ms();
				if (fb_store_open(&e, d, &err) < 0 || fb_count(e, "person", &cnt, &err) < 0 ||
				    fb_list(e, &q, collect_cb, &c, &err) < 0)
					die_fb("opening", &err);
				t[k] = now_ms() - t0;
				fb_store_free(e);
				memset(&c, 0, sizeof c);
			}
			if (pass == 2)
				full_ms = median(t, RUNS);
			else if (pass)
				page_ms = median(t, RUNS);
			else
				empty_ms = median(t, RUNS);
		}
		snprintf(buf, sizeof buf, "%.1fx empty; ≤ 1.5x", full_ms / empty_ms);
		snprintf(ref, sizeof ref, "empty store %s", fmt_ms(empty_ms));
		add_row("open store + fb_count + first page", fmt_ms(full_ms), ref, buf,
			full_ms <= 1.5 * empty_ms ? "within budget" : "OVER");
		snprintf(buf, sizeof buf, "%.1fx one page; ≤ 1.5x", full_ms / page_ms);
		snprintf(ref, sizeof ref, "50-record store %s", fmt_ms(page_ms));
		add_row("open store + fb_count + first page", fmt_ms(full_ms), ref, buf,
			full_ms <= 1.5 * page_ms ? "within budget" : "OVER");
		{
			double tc[RUNS];
			for (k = 0; k < RUNS; k++) {
				t0 = now_ms();
				fb_count(s, "person", &cnt, &err);
				tc[k] = now_ms() - t0;
			}
			add_note("fb_count(person) alone: %s for %s live records", fmt_ms(median(tc, RUNS)),
				 grp(cnt));
		}
	}

	/* ---- 5. size and count ---- */
	{
		int64_t live = 0, ops = 0, fb_size, raw_size;
		sqlite3 *ro = NULL;
		sqlite3_stmt *st;
		char wal[4300], state_path[4300];

		fb_count(s, "person", &live, &err);
		if (sqlite3_open_v2(db_path, &ro, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
			st = prep(ro, "SELECT count(*) FROM op");
			if (sqlite3_step(st) == SQLITE_ROW)
				ops = sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
		}
		sqlite3_close(ro);
		snprintf(wal, sizeof wal, "%s-wal", db_path);
		/* the op log and the derived state (fieldbook-state.db beside it) */
		snprintf(state_path, sizeof state_path, "%.4000s/fieldbook-state.db", dir);
		fb_size = file_size(db_path) + file_size(state_path);
		raw_size = file_size(raw_path);
		snprintf(buf, sizeof buf, "%s", fmt_bytes(fb_size));
		snprintf(ref, sizeof ref, "%s", fmt_bytes(raw_size));
		{
			char b2[64];
			snprintf(b2, sizeof b2, "%.1fx raw; %s B/record", (double)fb_size / (double)raw_size,
				 grp(fb_size / (live ? live : 1)));
			add_row("database files' size", buf, ref, b2, "info");
		}
		snprintf(buf, sizeof buf, "%s live", grp(live));
		snprintf(ref, sizeof ref, "%s rows", grp(raw_count(raw_path)));
		{
			char b2[64];
			snprintf(b2, sizeof b2, "%s ops", grp(ops));
			add_row("person records", buf, ref, b2, live == (int64_t)n ? "info" : "WRONG count");
		}
		{
			int64_t state_size = file_size(state_path), state_wal;
			strcat(state_path, "-wal");
			state_wal = file_size(state_path);
			add_note("op log %s, derived state %s; WAL files after the run: %s and %s",
				 fmt_bytes(file_size(db_path)), fmt_bytes(state_size),
				 fmt_bytes(file_size(wal)), fmt_bytes(state_wal));
		}
	}

	fb_store_free(s);
	sqlite3_close(raw);
	print_table();
	return 0;
}
