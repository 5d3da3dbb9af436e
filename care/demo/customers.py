"""Demo content of care calls: teams, customers with Chinese names, devices, the four scripts in both
languages, and the calls the rules create from them. Idempotent."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from home import roles
from home.models import ProductLine

from ..models import CallPurpose, CallScript, CareTeam, CustomerAccount, Device
from ..services.calls import call_schedule
from ..services.customers import contact_add, customer_create
from ..services.devices import device_register

# Scripts: (purpose, language, name, steps). A step is (kind, text, answer_kind, choices, branches).
P = CallPurpose
SCRIPTS = [
    (P.WELCOME, "zh-hans", "激活欢迎电话", [
        ("say", "您好，我是客户关怀中心的工作人员。感谢您选择我们的产品，占用您几分钟做个回访。", "", [], []),
        ("ask", "产品已经送达了吗？", "yes_no", [], [("no", 8)]),
        ("ask", "产品已经安装好了吗？", "yes_no", [], [("no", 9)]),
        ("ask", "产品运行正常吗？", "yes_no", [], [("no", 7)]),
        ("say", "向客户说明保修期和保修范围，以及如何获得服务：服务热线、在线报修、就近服务站。", "", [], []),
        ("ask", "您对送货和安装满意吗？（1-5 分）", "rating", [], [("*", 0)]),
        ("ask", "请客户描述遇到的问题并记录。", "text", [], [("*", 5)]),
        ("say", "致歉，核实收货地址并安排尽快送达。", "", [], [("*", 0)]),
        ("checklist", "为客户预约上门安装。", "", [], [("*", 4)]),
    ]),
    (P.WELCOME, "en", "Activation welcome call", [
        ("say", "Hello, this is the customer care team. Thank you for choosing our product; do you have a few minutes?", "", [], []),
        ("ask", "Has the product been delivered?", "yes_no", [], [("no", 8)]),
        ("ask", "Has it been installed?", "yes_no", [], [("no", 9)]),
        ("ask", "Is it running well?", "yes_no", [], [("no", 7)]),
        ("say", "Explain the warranty period and what it covers, and how to get service: hotline, online request, nearest service station.", "", [], []),
        ("ask", "How satisfied are you with delivery and installation? (1-5)", "rating", [], [("*", 0)]),
        ("ask", "Ask the customer to describe the problem and note it.", "text", [], [("*", 5)]),
        ("say", "Apologise, confirm the delivery address and arrange delivery as soon as possible.", "", [], [("*", 0)]),
        ("checklist", "Book an installation visit for the customer.", "", [], [("*", 4)]),
    ]),
    (P.SIX_MONTHLY, "zh-hans", "半年回访", [
        ("say", "您好，我是客户关怀中心的工作人员，今天给您做半年例行回访。", "", [], []),
        ("ask", "设备目前运行正常吗？", "yes_no", [], [("no", 5)]),
        ("ask", "您使用设备的频率？", "choice", ["每天", "每周", "很少"], []),
        ("ask", "您对我们的产品和服务满意吗？（1-5 分）", "rating", [], [("*", 0)]),
        ("ask", "请记录客户遇到的问题。", "text", [], []),
        ("checklist", "为客户预约服务或转交投诉处理。", "", [], [("*", 4)]),
    ]),
    (P.SIX_MONTHLY, "en", "Six-monthly callback", [
        ("say", "Hello, this is the customer care team with our regular six-monthly call.", "", [], []),
        ("ask", "Is the device running well?", "yes_no", [], [("no", 5)]),
        ("ask", "How often do you use it?", "choice", ["daily", "weekly", "rarely"], []),
        ("ask", "How satisfied are you with our product and service? (1-5)", "rating", [], [("*", 0)]),
        ("ask", "Note the problem the customer describes.", "text", [], []),
        ("checklist", "Book a service visit or file a complaint for the customer.", "", [], [("*", 4)]),
    ]),
    (P.COMPLAINT_FOLLOWUP, "zh-hans", "投诉回访", [
        ("say", "您好，关于您之前反映的问题，我们来电回访处理结果。", "", [], []),
        ("checklist", "核实客户所在地的网络情况。", "", [], []),
        ("checklist", "查询客户的使用记录。", "", [], []),
        ("checklist", "检查客户的账户状态。", "", [], []),
        ("ask", "判断问题类型：", "choice", ["设备问题", "网络问题", "都不是"],
         [("设备问题", 6), ("网络问题", 7), ("都不是", 8)]),
        ("say", "安排就近服务站检修设备，并告知客户预计时间。", "", [], [("*", 0)]),
        ("say", "将问题转交网络支持组，并告知客户处理时限。", "", [], [("*", 0)]),
        ("ask", "问题现在已经解决了吗？", "yes_no", [], []),
    ]),
    (P.COMPLAINT_FOLLOWUP, "en", "Complaint follow-up", [
        ("say", "Hello, we are calling back about the problem you reported to hear how it was resolved.", "", [], []),
        ("checklist", "Verify the network at the customer's location.", "", [], []),
        ("checklist", "Query the customer's usage records.", "", [], []),
        ("checklist", "Check the customer's account status.", "", [], []),
        ("ask", "Decide what kind of problem it is:", "choice", ["device", "network", "neither"],
         [("device", 6), ("network", 7), ("neither", 8)]),
        ("say", "Arrange a repair at the nearest service station and tell the customer when.", "", [], [("*", 0)]),
        ("say", "Hand the problem to the network support group and tell the customer the time limit.", "", [], [("*", 0)]),
        ("ask", "Is the problem solved for you now?", "yes_no", [], []),
    ]),
    (P.QUALITY_CONTROL, "zh-hans", "质量抽查满意度回访", [
        ("say", "您好，我们正在对投诉处理质量做抽查回访，只需一分钟。", "", [], []),
        ("ask", "您对这次投诉的处理满意吗？（1-5 分）", "rating", [], [("<=3", 3), ("*", 4)]),
        ("ask", "我们哪些地方可以做得更好？", "text", [], []),
        ("ask", "您愿意向他人推荐我们的服务吗？", "yes_no", [], []),
    ]),
    (P.QUALITY_CONTROL, "en", "Quality-control satisfaction call", [
        ("say", "Hello, we are checking the quality of how complaints are handled; it takes one minute.", "", [], []),
        ("ask", "How satisfied are you with how your complaint was handled? (1-5)", "rating", [], [("<=3", 3), ("*", 4)]),
        ("ask", "What could we have done better?", "text", [], []),
        ("ask", "Would you recommend our service to others?", "yes_no", [], []),
    ]),
]


def script_stream(steps) -> list:
    raw = []
    for kind, text, answer_kind, choices, branches in steps:
        value = {"branches": [{"answer": a, "goto": g} for a, g in branches]}
        if kind == "say":
            value["text"] = text
        elif kind == "ask":
            value.update(question=text, answer_kind=answer_kind, choices=list(choices))
        else:
            value["item"] = text
        raw.append({"type": kind, "value": value})
    return CallScript._meta.get_field("steps").stream_block.to_python(raw)


def _scripts():
    for purpose, language, name, steps in SCRIPTS:
        if CallScript.objects.filter(purpose=purpose, language=language).exists():
            continue
        script = CallScript(name=name, purpose=purpose, language=language, steps=script_stream(steps))
        script.save()
        script.save_revision().publish()


def _user(username, role, email):
    from home.demo.load import demo_password

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, email=email, is_staff=True)
        user.set_password(demo_password())
        user.save()
    user.groups.add(Group.objects.get(name=role))
    return user


# (organisation or "", contacts [(name, email, mobile, language)], key account, team, address,
#  devices [(product line slug, model, serial, months since activation or None, service station)])
CUSTOMERS = [
    ("华安科技有限公司", [("王伟", "wang.wei@huaan.example.com", "13800138001", "zh-hans"),
                    ("李娜", "li.na@huaan.example.com", "13800138002", "zh-hans")],
     True, "east", "上海市浦东新区张江路 88 号",
     [("firewall", "SG-6000", "HA-FW-0001", 0, "上海浦东服务站"), ("hosting", "云主机 8 核", "HA-CL-0002", 14, "")]),
    ("蓝天物流股份公司", [("张强", "zhang.qiang@lantian.example.com", "13900139001", "zh-hans"),
                    ("David Miller", "david.miller@lantian.example.com", "13900139002", "en")],
     False, "east", "杭州市滨江区江南大道 1000 号",
     [("mail", "企业邮箱 200 用户", "LT-ML-1001", 7, "")]),
    ("东方酒店管理有限公司", [("刘洋", "liu.yang@dongfang.example.com", "13700137001", "zh-hans")],
     False, "south", "广州市天河区体育西路 9 号",
     [("pc", "商用台式机 M70", "DF-PC-2001", 2, "广州天河服务站")]),
    ("", [("陈静", "chen.jing@example.com", "13600136001", "zh-hans")],
     False, "south", "深圳市南山区科技园",
     [("pc", "商用笔记本 T14", "CJ-PC-3001", 8, "深圳南山服务站")]),
]


def load_demo(pages, stdout=None):
    staff = _user("carestaff", roles.CARE_STAFF, "carestaff@example.com")
    south = _user("carestaff_south", roles.CARE_STAFF, "carestaff.south@example.com")
    manager = _user("caremanager", roles.CARE_MANAGERS, "caremanager@example.com")
    east_team, _c = CareTeam.objects.get_or_create(name="华东组 East team")
    south_team, _c = CareTeam.objects.get_or_create(name="华南组 South team")
    east_team.members.add(staff)
    south_team.members.add(south)
    teams = {"east": east_team, "south": south_team}
    _scripts()

    today = timezone.localdate()
    lines = {pl.slug: pl for pl in ProductLine.objects.all()}
    for org_name, contacts, key_account, team, address, devices in CUSTOMERS:
        name, email, mobile, language = contacts[0]
        if org_name and CustomerAccount.objects.filter(organisation__name=org_name).exists():
            continue
        if not org_name and CustomerAccount.objects.filter(person__email=email).exists():
            continue
        customer = customer_create(
            organisation_name=org_name, contact_name=name, email=email, mobile=mobile, language=language,
            address=address, team=teams[team], is_key_account=key_account,
            specialist=manager if key_account else None,
            direct_line="021-5080 8888" if key_account else "", mailbox="keyaccount@example.com" if key_account else "",
        )
        for extra in contacts[1:]:
            contact_add(customer=customer, name=extra[0], email=extra[1], mobile=extra[2], language=extra[3])
        for slug, model, serial, months, station in devices:
            if Device.objects.filter(serial=serial).exists() or slug not in lines:
                continue
            activated = today - relativedelta(months=months) if months is not None else None
            if months and months > 0:
                activated -= timedelta(days=3)
            device_register(customer=customer, product_line=lines[slug], model=model, serial=serial,
                            service_station=station, activated_on=activated)
    created = call_schedule(today=today)
    if stdout is not None:
        stdout.write(f"care: {CustomerAccount.objects.count()} customers, {len(created)} new calls\n")
