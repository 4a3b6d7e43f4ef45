/* schema.c - the field-definition table of every record kind, and lookups in it (core layer).
 *
 * One table (fb_kinds) describes what each kind of record holds: field codes, labels in
 * Chinese and English, types, flags, built-in choice lists, referenced kinds, defaults and
 * list-column widths.  Validation, the command line, list/show output, search indexing and
 * forms all read it; nothing else in fieldbook repeats these facts.
 *
 * Field codes and choice codes are stable ASCII (they go into change files, exports and
 * scripts); never rename one once released, only add.  Labels may be reworded freely.
 * The choice lists here are the built-in defaults; a coordinator's published catalogue may
 * extend them later. */
#include <stddef.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "fieldbook/schema.h"

/* ---------------------------------------------------------------- choice lists */

static const struct fb_choice id_type_choices[] = {
	{"resident", "居民身份证", "resident ID card"},
	{"hkmt_permit", "港澳台居民居住证", "HK/Macao/Taiwan residence permit"},
	{"travel_permit", "往来内地通行证", "mainland travel permit"},
	{"foreign_pr", "外国人永久居留身份证", "foreign permanent resident ID card"},
	{"passport", "护照", "passport"},
	{"other", "其他", "other"},
	{0},
};

static const struct fb_choice gender_choices[] = {
	{"male", "男", "male"},
	{"female", "女", "female"},
	{0},
};

static const struct fb_choice occupation_choices[] = {
	{"food_delivery", "外卖骑手", "food delivery rider"},
	{"courier", "快递员", "courier"},
	{"ride_hailing", "网约车司机", "ride-hailing driver"},
	{"truck_driver", "货车司机", "truck driver"},
	{"domestic", "家政", "domestic worker"},
	{"security_guard", "保安", "security guard"},
	{"manufacturing", "制造业工人", "manufacturing worker"},
	{"construction", "建筑工人", "construction worker"},
	{"other", "其他", "other"},
	{0},
};

static const struct fb_choice relation_choices[] = {
	{"employment", "劳动关系", "employment relationship"},
	{"dispatch", "劳务派遣", "labour dispatch"},
	{"outsourcing", "劳务外包", "labour outsourcing"},
	{"incomplete", "不完全符合确立劳动关系", "not fully an employment relationship"},
	{"civil", "民事关系", "civil relationship"},
	{"flexible", "灵活就业", "flexible employment"},
	{0},
};

static const struct fb_choice platform_choices[] = {
	{"meituan", "美团", "Meituan"},
	{"eleme", "饿了么", "Ele.me"},
	{"didi", "滴滴", "DiDi"},
	{"sf", "顺丰", "SF Express"},
	{"jd", "京东", "JD"},
	{"cainiao", "菜鸟", "Cainiao"},
	{"huolala", "货拉拉", "Huolala"},
	{"other", "其他", "other"},
	{0},
};

static const struct fb_choice member_status_choices[] = {
	{"non_member", "非会员", "non-member"},
	{"applied", "已申请入会", "applied"},
	{"member", "会员", "member"},
	{"retained", "保留会籍", "membership retained"},
	{"transferred_out", "已转出", "transferred out"},
	{"withdrawn", "已退会", "withdrawn"},
	{0},
};

static const struct fb_choice join_channel_choices[] = {
	{"onsite", "现场", "on site"},
	{"qr", "扫码", "QR code"},
	{"collective", "集体入会", "collective"},
	{"transfer", "接转", "transfer"},
	{0},
};

static const struct fb_choice consent_method_choices[] = {
	{"written", "书面", "written"},
	{"electronic", "电子", "electronic"},
	{"oral", "口头", "oral"},
	{"other", "其他", "other"},
	{0},
};

static const struct fb_choice political_status_choices[] = {
	{"cpc", "中共党员", "CPC member"},
	{"cpc_probationary", "中共预备党员", "CPC probationary member"},
	{"cyl", "共青团员", "Communist Youth League member"},
	{"democratic_party", "民主党派成员", "democratic party member"},
	{"non_partisan", "无党派人士", "non-partisan"},
	{"masses", "群众", "no affiliation"},
	{0},
};

static const struct fb_choice education_choices[] = {
	{"primary", "小学及以下", "primary or less"},
	{"junior", "初中", "junior secondary"},
	{"senior", "高中", "senior secondary"},
	{"vocational", "中专/技校", "vocational secondary"},
	{"college", "大专", "junior college"},
	{"bachelor", "本科", "bachelor"},
	{"postgraduate", "研究生", "postgraduate"},
	{0},
};

static const struct fb_choice visit_type_choices[] = {
	{"summer_cooling", "送清凉", "summer cooling supplies"},
	{"new_year", "新春送福", "New Year gifts"},
	{"legal_awareness", "普法宣传", "legal awareness"},
	{"hardship_visit", "困难职工走访", "visit to workers in hardship"},
	{"solidarity", "慰问", "solidarity visit"},
	{"training", "培训", "training"},
	{"health_check", "体检", "health check"},
	{"collective_bargaining", "集体协商", "collective bargaining"},
	{"other", "其他", "other"},
	{0},
};

static const struct fb_choice visit_status_choices[] = {
	{"planned", "计划中", "planned"},
	{"done", "已完成", "done"},
	{"archived", "已归档", "archived"},
	{"cancelled", "已取消", "cancelled"},
	{0},
};

static const struct fb_choice consult_channel_choices[] = {
	{"onsite", "现场", "in person"},
	{"phone", "电话", "phone"},
	{"hotline", "12351热线", "12351 hotline"},
	{"online", "线上", "online"},
	{"event", "活动现场", "at an event"},
	{0},
};

/* Consultation topics and case dispute types share one vocabulary, so reports can put
 * them side by side. */
static const struct fb_choice dispute_topic_choices[] = {
	{"wage_arrears", "欠薪", "wage arrears"},
	{"contract", "劳动合同", "employment contract"},
	{"injury", "工伤", "work injury"},
	{"social_insurance", "社保", "social insurance"},
	{"termination", "解除劳动关系", "termination of employment"},
	{"employment_status", "确认劳动关系", "recognition of employment"},
	{"hours_leave", "工时休假", "working hours and leave"},
	{"other", "其他", "other"},
	{0},
};

static const struct fb_choice consult_outcome_choices[] = {
	{"answered", "已解答", "answered"},
	{"referred_mediation", "转调解", "referred to mediation"},
	{"legal_aid", "转法律援助", "legal aid"},
	{"arbitration_advised", "建议仲裁", "arbitration advised"},
	{"litigation_advised", "建议诉讼", "litigation advised"},
	{"referred_other", "转其他部门", "referred to another agency"},
	{0},
};

static const struct fb_choice consult_status_choices[] = {
	{"registered", "已登记", "registered"},
	{"answered", "已解答", "answered"},
	{"referred", "已转介", "referred"},
	{"followed_up", "已回访", "followed up"},
	{0},
};

static const struct fb_choice case_form_choices[] = {
	{"written", "书面", "written"},
	{"oral", "口头", "oral"},
	{0},
};

static const struct fb_choice case_status_choices[] = {
	{"applied", "已申请", "applied"},
	{"accepted", "已受理", "accepted"},
	{"refused", "不予受理", "refused"},
	{"mediating", "调解中", "mediating"},
	{"agreement", "达成协议", "agreement reached"},
	{"failed", "调解不成", "mediation failed"},
	{"withdrawn", "已撤回", "withdrawn"},
	{"performed", "已履行", "performed"},
	{"not_performed", "未履行", "not performed"},
	{0},
};

static const struct fb_choice request_status_choices[] = {
	{"ordered", "已点单", "ordered"},
	{"accepted", "已接单", "accepted"},
	{"dispatched", "已派单", "dispatched"},
	{"delivered", "已送达", "delivered"},
	{"rated", "已评价", "rated"},
	{"cannot_fulfil", "无法办理", "cannot fulfil"},
	{"cancelled", "已取消", "cancelled"},
	{0},
};

static const struct fb_choice demand_source_choices[] = {
	{"individual", "个人", "individual"},
	{"group", "群体", "group"},
	{"forum", "座谈会", "discussion meeting"},
	{"survey", "问卷", "survey"},
	{"event", "活动现场", "at an event"},
	{0},
};

static const struct fb_choice demand_category_choices[] = {
	{"wages", "工资", "wages"},
	{"hours", "工时", "working hours"},
	{"rest", "休息", "rest"},
	{"safety_health", "安全卫生", "safety and health"},
	{"social_insurance", "社保", "social insurance"},
	{"meals_housing", "就餐住宿", "meals and housing"},
	{"training", "培训", "training"},
	{"platform_rules", "平台规则与派单", "platform rules and dispatching"},
	{"fines", "罚款扣款", "fines and deductions"},
	{"other", "其他", "other"},
	{0},
};

static const struct fb_choice forwarded_to_choices[] = {
	{"employer", "企业", "employer"},
	{"platform", "平台", "platform"},
	{"mediation_committee", "调解委员会", "mediation committee"},
	{"union", "工会", "the union"},
	{0},
};

static const struct fb_choice demand_status_choices[] = {
	{"collected", "已收集", "collected"},
	{"assigned", "已分派", "assigned"},
	{"in_progress", "处理中", "in progress"},
	{"responded", "已答复", "responded"},
	{"closed", "已办结", "closed"},
	{"not_handled", "未处理", "not handled"},
	{0},
};

static const struct fb_choice assistance_type_choices[] = {
	{"living", "生活", "living costs"},
	{"medical", "医疗", "medical"},
	{"education", "助学", "education"},
	{"legal", "法律", "legal"},
	{"employment", "就业创业", "employment and start-up"},
	{"accident", "意外保障", "accident cover"},
	{"holiday", "节日慰问", "holiday solidarity"},
	{0},
};

static const struct fb_choice payment_method_choices[] = {
	{"transfer", "转账", "bank transfer"},
	{"cash", "现金", "cash"},
	{"in_kind", "实物", "in kind"},
	{0},
};

static const struct fb_choice assistance_status_choices[] = {
	{"applied", "已申请", "applied"},
	{"approved", "已批准", "approved"},
	{"paid", "已发放", "paid"},
	{"refused", "不予批准", "refused"},
	{0},
};

static const struct fb_choice site_type_choices[] = {
	{"service_centre", "职工服务中心", "workers' service centre"},
	{"care_station", "爱心驿站", "care station"},
	{"reading_room", "职工书屋", "workers' reading room"},
	{"drivers_home", "司机之家", "drivers' home"},
	{"enterprise", "企业", "enterprise"},
	{"worksite", "工地", "construction site"},
	{"park", "园区", "industrial park"},
	{"other", "其他", "other"},
	{0},
};

/* Catalogue entries (site, service, team) are never deleted while records name them;
 * a coordinator retires them instead. */
static const struct fb_choice catalogue_status_choices[] = {
	{"active", "启用", "active"},
	{"retired", "停用", "retired"},
	{0},
};

/* ---------------------------------------------------------------- fields per kind */

/* Field order is form order.  Columns: code, zh, en, type, flags, choices, ref_kind,
 * default, max_chars, list_cols[, catalogue]. */

#define REQ FB_F_REQUIRED
#define SENS FB_F_SENSITIVE
#define MASK FB_F_MASKED
#define LIST FB_F_LIST
#define TITLE (FB_F_TITLE | FB_F_LIST)
#define SRCH FB_F_SEARCH
#define DERIV FB_F_DERIVED
#define STAT FB_F_STATUS

static const struct fb_field person_fields[] = {
	{"name", "姓名", "Name", FB_T_NAME, REQ | TITLE | SRCH, NULL, NULL, NULL, 50, 12, NULL},
	{"id_type", "证件类型", "ID type", FB_T_CHOICE, 0, id_type_choices, NULL, "resident", 0, 0, NULL},
	{"id_number", "证件号码", "ID number", FB_T_IDNUMBER, SENS | MASK | LIST, NULL, NULL, NULL, 0, 18, NULL},
	/* Derived by core from a resident ID (or HK/Macao/Taiwan residence permit). */
	{"gender", "性别", "Gender", FB_T_CHOICE, DERIV, gender_choices, NULL, NULL, 0, 0, NULL},
	{"birth_date", "出生日期", "Birth date", FB_T_DATE, DERIV, NULL, NULL, NULL, 0, 0, NULL},
	{"mobile", "手机号", "Mobile", FB_T_MOBILE, MASK | LIST, NULL, NULL, NULL, 0, 11, NULL},
	{"occupation", "职业", "Occupation", FB_T_CHOICE, REQ | LIST, occupation_choices, NULL, NULL, 0, 10, NULL},
	{"relation", "用工关系", "Employment relation", FB_T_CHOICE, 0, relation_choices, NULL, NULL, 0, 0, NULL},
	{"platforms", "平台", "Platforms", FB_T_MULTI, LIST, platform_choices, NULL, NULL, 0, 10, NULL},
	/* The actual contracting company, not the platform brand. */
	{"employer", "用工单位", "Employer", FB_T_TEXT, SRCH | LIST, NULL, NULL, NULL, 0, 14, NULL},
	{"employer_uscc", "用工单位信用代码", "Employer credit code", FB_T_USCC, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"member_status", "会员状态", "Membership", FB_T_CHOICE, STAT, member_status_choices, NULL, "non_member", 0, 0, NULL},
	{"joined_on", "入会日期", "Joined on", FB_T_DATE, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"branch", "所属工会", "Union branch", FB_T_TEXT, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"channel", "入会方式", "Sign-up channel", FB_T_CHOICE, 0, join_channel_choices, NULL, NULL, 0, 0, NULL},
	/* PIPL: what was consented to, how and when (who: the operator of the op). */
	{"consent", "同意收集个人信息", "Consent", FB_T_BOOL, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"consent_method", "同意方式", "Consent method", FB_T_CHOICE, 0, consent_method_choices, NULL, NULL, 0, 0, NULL},
	{"consent_date", "同意日期", "Consent date", FB_T_DATE, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"consent_sensitive", "单独同意敏感信息", "Separate consent for sensitive data", FB_T_BOOL, 0, NULL, NULL, NULL, 0, 0, NULL},
	/* Optional by the privacy rules (collect the minimum). */
	{"ethnicity", "民族", "Ethnicity", FB_T_TEXT, 0, NULL, NULL, NULL, 20, 0, NULL},
	{"political_status", "政治面貌", "Political status", FB_T_CHOICE, 0, political_status_choices, NULL, NULL, 0, 0, NULL},
	{"education", "学历", "Education", FB_T_CHOICE, 0, education_choices, NULL, NULL, 0, 0, NULL},
	{"hukou", "户籍所在地", "Household registration", FB_T_TEXT, 0, NULL, NULL, NULL, 0, 0, NULL},
	/* Set when this record was merged, as a duplicate, into another person. */
	{"merged_into", "已合并至", "Merged into", FB_T_REF, 0, NULL, "person", NULL, 0, 0, NULL},
	{0},
};

static const struct fb_field visit_fields[] = {
	{"type", "活动类型", "Event type", FB_T_CHOICE, REQ | TITLE, visit_type_choices, NULL, NULL, 0, 10, NULL},
	{"date", "日期", "Date", FB_T_DATE, REQ | LIST, NULL, NULL, "@today", 0, 10, NULL},
	/* Names of site and team catalogue entries (any text is still accepted). */
	{"site", "地点", "Site", FB_T_TEXT, REQ | SRCH | LIST, NULL, NULL, NULL, 0, 14, "site"},
	{"team", "服务队", "Team", FB_T_TEXT, REQ | LIST, NULL, NULL, NULL, 0, 8, "team"},
	{"headcount", "覆盖人数", "People reached", FB_T_INTEGER, LIST, NULL, NULL, NULL, 0, 6, NULL},
	{"items", "发放物品", "Items handed out", FB_T_ITEMS, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"cost", "费用", "Cost", FB_T_MONEY, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"recipients", "受益职工", "Recipients", FB_T_REFS, 0, NULL, "person", NULL, 0, 0, NULL},
	{"status", "状态", "Status", FB_T_CHOICE, STAT | LIST, visit_status_choices, NULL, "planned", 0, 8, NULL},
	{0},
};

static const struct fb_field consultation_fields[] = {
	/* Empty = anonymous. */
	{"person", "咨询人", "Person", FB_T_REF, LIST, NULL, "person", NULL, 0, 10, NULL},
	{"date", "日期", "Date", FB_T_DATE, REQ | LIST, NULL, NULL, "@today", 0, 10, NULL},
	{"channel", "咨询渠道", "Channel", FB_T_CHOICE, 0, consult_channel_choices, NULL, NULL, 0, 0, NULL},
	{"topics", "咨询事项", "Topics", FB_T_MULTI, REQ | TITLE, dispute_topic_choices, NULL, NULL, 0, 12, NULL},
	{"employer", "用人单位", "Employer", FB_T_TEXT, SRCH, NULL, NULL, NULL, 0, 0, NULL},
	{"summary", "情况摘要", "Summary", FB_T_MULTILINE, REQ | SENS | SRCH, NULL, NULL, NULL, 0, 0, NULL},
	{"advice", "解答意见", "Advice", FB_T_MULTILINE, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"claimed", "诉求金额", "Amount claimed", FB_T_MONEY, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"outcome", "处理结果", "Outcome", FB_T_CHOICE, REQ | LIST, consult_outcome_choices, NULL, NULL, 0, 10, NULL},
	{"follow_up", "回访日期", "Follow-up date", FB_T_DATE, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"status", "状态", "Status", FB_T_CHOICE, STAT | LIST, consult_status_choices, NULL, "registered", 0, 8, NULL},
	{0},
};

static const struct fb_field case_fields[] = {
	{"case_no", "案件编号", "Case number", FB_T_TEXT, REQ | TITLE | SRCH, NULL, NULL, NULL, 40, 14, NULL},
	{"applicants", "申请人", "Applicants", FB_T_REFS, REQ, NULL, "person", NULL, 0, 0, NULL},
	{"respondent", "被申请人", "Respondent", FB_T_NAME, REQ | SRCH | LIST, NULL, NULL, NULL, 100, 16, NULL},
	{"respondent_uscc", "被申请人信用代码", "Respondent credit code", FB_T_USCC, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"form", "申请形式", "Application form", FB_T_CHOICE, 0, case_form_choices, NULL, NULL, 0, 0, NULL},
	/* Starts the 15-day clock. */
	{"received_at", "收案日期", "Received on", FB_T_DATE, REQ | LIST, NULL, NULL, "@today", 0, 10, NULL},
	{"dispute_types", "争议类型", "Dispute types", FB_T_MULTI, REQ, dispute_topic_choices, NULL, NULL, 0, 0, NULL},
	{"claims", "请求事项", "Claims", FB_T_ITEMS, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"mediators", "调解员", "Mediators", FB_T_TEXT, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"agreed_on", "协议日期", "Agreement date", FB_T_DATE, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"agreed_amount", "协议金额", "Agreed amount", FB_T_MONEY, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"due_on", "履行期限", "Due date", FB_T_DATE, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"signed", "协议已签署", "Agreement signed", FB_T_BOOL, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"recovered", "追回金额", "Amount recovered", FB_T_MONEY, LIST, NULL, NULL, NULL, 0, 12, NULL},
	{"status", "状态", "Status", FB_T_CHOICE, STAT | LIST, case_status_choices, NULL, "applied", 0, 8, NULL},
	{0},
};

static const struct fb_field request_fields[] = {
	/* The brief requires "a person, or a group + headcount": neither field alone is
	 * FB_F_REQUIRED; core's record check enforces "requester or group". */
	{"requester", "点单职工", "Requester", FB_T_REF, LIST, NULL, "person", NULL, 0, 10, NULL},
	{"group", "点单团体", "Group", FB_T_TEXT, SRCH, NULL, NULL, NULL, 0, 0, NULL},
	{"headcount", "人数", "Headcount", FB_T_INTEGER, 0, NULL, NULL, NULL, 0, 0, NULL},
	/* The name of a service catalogue entry (its code is accepted too). */
	{"service", "服务项目", "Service", FB_T_TEXT, REQ | TITLE | SRCH, NULL, NULL, NULL, 0, 14, "service"},
	{"wanted_from", "期望开始日期", "Wanted from", FB_T_DATE, LIST, NULL, NULL, NULL, 0, 10, NULL},
	{"wanted_to", "期望结束日期", "Wanted until", FB_T_DATE, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"assigned_to", "承办人", "Assigned to", FB_T_TEXT, LIST, NULL, NULL, NULL, 0, 10, NULL},
	{"delivered_on", "送达日期", "Delivered on", FB_T_DATE, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"attendance", "实到人数", "Attendance", FB_T_INTEGER, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"rating", "评分", "Rating", FB_T_RATING, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"decline_reason", "无法办理原因", "Reason not fulfilled", FB_T_TEXT, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"status", "状态", "Status", FB_T_CHOICE, STAT | LIST, request_status_choices, NULL, "ordered", 0, 8, NULL},
	{0},
};

static const struct fb_field demand_fields[] = {
	{"collected_by", "收集人", "Collected by", FB_T_TEXT, REQ | LIST, NULL, NULL, NULL, 0, 8, NULL},
	{"source", "来源", "Source", FB_T_CHOICE, 0, demand_source_choices, NULL, NULL, 0, 0, NULL},
	{"anonymous", "匿名", "Anonymous", FB_T_BOOL, 0, NULL, NULL, "0", 0, 0, NULL},
	{"persons", "相关职工", "Persons", FB_T_REFS, 0, NULL, "person", NULL, 0, 0, NULL},
	{"affected", "涉及人数", "Workers affected", FB_T_INTEGER, REQ | LIST, NULL, NULL, NULL, 0, 6, NULL},
	/* "employer or platform" in the brief: one free-text field. */
	{"employer", "企业或平台", "Employer or platform", FB_T_TEXT, SRCH | LIST, NULL, NULL, NULL, 0, 14, NULL},
	{"categories", "诉求类别", "Categories", FB_T_MULTI, REQ | TITLE, demand_category_choices, NULL, NULL, 0, 14, NULL},
	{"description", "诉求内容", "Description", FB_T_MULTILINE, REQ | SENS | SRCH, NULL, NULL, NULL, 0, 0, NULL},
	{"forwarded_to", "转交", "Forwarded to", FB_T_CHOICE, 0, forwarded_to_choices, NULL, NULL, 0, 0, NULL},
	{"response", "答复", "Response", FB_T_MULTILINE, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"status", "状态", "Status", FB_T_CHOICE, STAT | LIST, demand_status_choices, NULL, "collected", 0, 8, NULL},
	{0},
};

static const struct fb_field assistance_fields[] = {
	{"person", "帮扶对象", "Person", FB_T_REF, REQ | LIST, NULL, "person", NULL, 0, 10, NULL},
	{"category", "困难类别", "Hardship category", FB_T_TEXT, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"type", "帮扶类型", "Assistance type", FB_T_CHOICE, REQ | TITLE, assistance_type_choices, NULL, NULL, 0, 8, NULL},
	/* Must be > 0: core's validation checks it. */
	{"amount", "金额", "Amount", FB_T_MONEY, REQ | LIST, NULL, NULL, NULL, 0, 10, NULL},
	{"reason", "申请理由", "Reason", FB_T_MULTILINE, REQ | SENS, NULL, NULL, NULL, 0, 0, NULL},
	{"approver", "审批人", "Approver", FB_T_TEXT, 0, NULL, NULL, NULL, 0, 0, NULL},
	{"paid_on", "发放日期", "Paid on", FB_T_DATE, LIST, NULL, NULL, NULL, 0, 10, NULL},
	{"method", "发放方式", "Payment method", FB_T_CHOICE, 0, payment_method_choices, NULL, NULL, 0, 0, NULL},
	{"status", "状态", "Status", FB_T_CHOICE, STAT | LIST, assistance_status_choices, NULL, "applied", 0, 8, NULL},
	{0},
};

static const struct fb_field note_fields[] = {
	/* Any kind of record may carry notes: ref_kind NULL on purpose. */
	{"parent", "关联记录", "Parent record", FB_T_REF, REQ | LIST, NULL, NULL, NULL, 0, 12, NULL},
	{"text", "内容", "Text", FB_T_MULTILINE, REQ | TITLE | SRCH, NULL, NULL, NULL, 0, 40, NULL},
	{0},
};

static const struct fb_field site_fields[] = {
	{"name", "名称", "Name", FB_T_TEXT, REQ | TITLE | SRCH, NULL, NULL, NULL, 0, 16, NULL},
	{"type", "阵地类型", "Site type", FB_T_CHOICE, LIST, site_type_choices, NULL, NULL, 0, 12, NULL},
	{"district", "所在区域", "District", FB_T_TEXT, LIST, NULL, NULL, NULL, 0, 10, NULL},
	{"status", "状态", "Status", FB_T_CHOICE, STAT | LIST, catalogue_status_choices, NULL, "active", 0, 8, NULL},
	{0},
};

static const struct fb_field service_fields[] = {
	{"code", "编号", "Code", FB_T_TEXT, REQ | LIST, NULL, NULL, NULL, 32, 8, NULL},
	{"name", "名称", "Name", FB_T_TEXT, REQ | TITLE | SRCH, NULL, NULL, NULL, 0, 16, NULL},
	{"category", "类别", "Category", FB_T_TEXT, LIST, NULL, NULL, NULL, 0, 10, NULL},
	{"provider", "提供方", "Provider", FB_T_TEXT, 0, NULL, NULL, NULL, 0, 0, NULL},
	/* Whether workers can order it now. */
	{"active", "可点单", "Active", FB_T_BOOL, LIST, NULL, NULL, "1", 0, 6, NULL},
	{"status", "状态", "Status", FB_T_CHOICE, STAT | LIST, catalogue_status_choices, NULL, "active", 0, 8, NULL},
	{0},
};

static const struct fb_field team_fields[] = {
	{"name", "名称", "Name", FB_T_TEXT, REQ | TITLE | SRCH, NULL, NULL, NULL, 0, 16, NULL},
	{"members", "成员", "Members", FB_T_TEXT, SRCH | LIST, NULL, NULL, NULL, 0, 30, NULL},
	{"status", "状态", "Status", FB_T_CHOICE, STAT | LIST, catalogue_status_choices, NULL, "active", 0, 8, NULL},
	{0},
};

/* Append-only: who and when are the op's author and clock; record.c refuses edits and
 * deletes of audit records (audit.h). */
static const struct fb_choice audit_action_choices[] = {
	{"reveal", "查看完整信息", "reveal"},
	{"export_unmasked", "导出完整信息", "unmasked export"},
	{0},
};

static const struct fb_field audit_fields[] = {
	{"action", "操作", "Action", FB_T_CHOICE, REQ | TITLE, audit_action_choices, NULL, NULL, 0, 14, NULL},
	{"record", "记录", "Record", FB_T_TEXT, LIST, NULL, NULL, NULL, 64, 16, NULL},
	{"field", "字段", "Field", FB_T_TEXT, LIST, NULL, NULL, NULL, 64, 14, NULL},
	{"reason", "理由", "Reason", FB_T_MULTILINE, REQ, NULL, NULL, NULL, 0, 0, NULL},
	{0},
};

#undef REQ
#undef SENS
#undef MASK
#undef LIST
#undef TITLE
#undef SRCH
#undef DERIV
#undef STAT

const struct fb_kind fb_kinds[] = {
	{"person", "职工", "Person", person_fields, 0},
	{"visit", "走访/活动", "Visit", visit_fields, 0},
	{"consultation", "法律咨询", "Consultation", consultation_fields, 0},
	{"case", "劳动争议调解", "Mediation case", case_fields, 0},
	{"request", "服务点单", "Service request", request_fields, 0},
	{"demand", "诉求", "Demand", demand_fields, 0},
	{"assistance", "困难帮扶", "Hardship assistance", assistance_fields, 0},
	{"note", "跟进记录", "Note", note_fields, 0},
	{"site", "服务阵地", "Site", site_fields, 1},
	{"service", "服务项目", "Service", service_fields, 1},
	{"team", "服务队", "Team", team_fields, 1},
	{"audit", "审计记录", "Audit entry", audit_fields, 0},
	{0},
};

/* ---------------------------------------------------------------- lookups */

/* Equal, folding ASCII letters only (no locale: labels are UTF-8, codes ASCII). */
static int ascii_caseeq(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char ca = (unsigned char)*a, cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca = (unsigned char)(ca - 'A' + 'a');
		if (cb >= 'A' && cb <= 'Z')
			cb = (unsigned char)(cb - 'A' + 'a');
		if (ca != cb)
			return 0;
		if (!ca)
			return 1;
	}
}

/* Codes win over labels: each pass looks at every entry before the next pass, so a
 * label that happens to equal another entry's code never shadows that code. */

const struct fb_kind *fb_kind_find(const char *name)
{
	const struct fb_kind *k;

	if (!name || !*name)
		return NULL;
	for (k = fb_kinds; k->name; k++)
		if (ascii_caseeq(k->name, name))
			return k;
	for (k = fb_kinds; k->name; k++)
		if (strcmp(k->zh, name) == 0 || ascii_caseeq(k->en, name))
			return k;
	return NULL;
}

const struct fb_field *fb_field_find(const struct fb_kind *kind, const char *name)
{
	const struct fb_field *f;

	if (!kind || !kind->fields || !name || !*name)
		return NULL;
	for (f = kind->fields; f->name; f++)
		if (ascii_caseeq(f->name, name))
			return f;
	for (f = kind->fields; f->name; f++)
		if (strcmp(f->zh, name) == 0 || ascii_caseeq(f->en, name))
			return f;
	return NULL;
}

const struct fb_choice *fb_choice_find(const struct fb_field *field, const char *input)
{
	const struct fb_choice *c;

	if (!field || !field->choices || !input || !*input)
		return NULL;
	for (c = field->choices; c->code; c++)
		if (ascii_caseeq(c->code, input))
			return c;
	for (c = field->choices; c->code; c++)
		if (strcmp(c->zh, input) == 0 || ascii_caseeq(c->en, input))
			return c;
	return NULL;
}

static const struct fb_field *field_with_flag(const struct fb_kind *kind, unsigned flag)
{
	const struct fb_field *f;

	if (!kind || !kind->fields)
		return NULL;
	for (f = kind->fields; f->name; f++)
		if (f->flags & flag)
			return f;
	return NULL;
}

const struct fb_field *fb_kind_status_field(const struct fb_kind *kind)
{
	return field_with_flag(kind, FB_F_STATUS);
}

const struct fb_field *fb_kind_title_field(const struct fb_kind *kind)
{
	return field_with_flag(kind, FB_F_TITLE);
}

const char *fb_kind_label(const struct fb_kind *kind)
{
	if (!kind)
		return "";
	return fb_lang_zh() ? kind->zh : kind->en;
}

const char *fb_field_label(const struct fb_field *field)
{
	if (!field)
		return "";
	return fb_lang_zh() ? field->zh : field->en;
}

const char *fb_choice_label(const struct fb_choice *choice)
{
	if (!choice)
		return "";
	return fb_lang_zh() ? choice->zh : choice->en;
}

const char *fb_type_name(enum fb_type type)
{
	switch (type) {
	case FB_T_TEXT: return "text";
	case FB_T_MULTILINE: return "multiline";
	case FB_T_NAME: return "name";
	case FB_T_DATE: return "date";
	case FB_T_MONEY: return "money";
	case FB_T_INTEGER: return "integer";
	case FB_T_CHOICE: return "choice";
	case FB_T_MULTI: return "multi";
	case FB_T_BOOL: return "bool";
	case FB_T_REF: return "ref";
	case FB_T_REFS: return "refs";
	case FB_T_IDNUMBER: return "idnumber";
	case FB_T_MOBILE: return "mobile";
	case FB_T_USCC: return "uscc";
	case FB_T_ITEMS: return "items";
	case FB_T_RATING: return "rating";
	}
	return "unknown";
}
