"""Same-day (urgent) problems that are not red flags, and look-alikes of red flags that are
not emergencies, on the shipped knowledge (triage/data/symptoms.yml, conditions.yml).

Sentences are written for these tests, not copied from the evaluation sets. A look-alike
(history: true) hides only the red-flag words inside its own words: a new sign next to it, or a
complaint right after a past event or a worry, is still an emergency."""

from __future__ import annotations

import pytest

from triage.engine import default_engine
from triage.model import Level

EMERGENCIES = (Level.EMERGENCY_AMBULANCE, Level.EMERGENCY)

# text, age, sex, expected department
URGENT = [
    # paraphimosis
    ("包皮往后翻了回不去，龟头肿得厉害", None, "male", "urology"),
    ("细路仔包皮翻起咗拉唔返，肿咗", 5, None, "urology"),
    # acute gout
    ("脚趾公半夜痛醒，又红又肿，盖被都痛", None, None, "rheumatology"),
    ("大拇趾关节突然红肿热痛，走不了路", 50, "male", "rheumatology"),
    # perianal abscess
    ("肛门旁边起了个包，好痛，坐不下", None, None, "general_surgery"),
    ("屁眼边肿咗一粒，好痛仲发烧", None, None, "general_surgery"),
    # dental abscess
    ("智齿发炎，半边脸都肿了", None, None, "stomatology"),
    ("牙疼了三天，今天发烧了", None, None, "stomatology"),
    ("牙龈脓肿，痛到瞓唔着", None, None, "stomatology"),
    # Bartholin abscess
    ("阴唇一边肿了个包，很痛，走路都磨着痛", None, "female", "gynecology"),
    ("前庭大腺囊肿又发炎了，好痛", None, "female", "gynecology"),
    # an injury that cannot bear weight
    ("打篮球崴了脚，脚踝肿得像馒头，不敢踩地", None, None, "orthopedics"),
    ("扭亲只脚，而家落唔到地", None, None, "orthopedics"),
    # a fall with hip pain
    ("我妈摔了一跤，胯骨痛，站不起来", 78, None, "orthopedics"),
    ("阿公跌低咗，大髀好痛，企唔起", 85, None, "orthopedics"),
    # urinary retention
    ("老豆成晚屙唔出尿，小肚胀到好辛苦", 75, None, "urology"),
    ("导尿管堵住了，尿袋一滴都没有", 80, None, "urology"),
    # very high blood sugar
    ("血糖测出来18点几，小便好多", None, None, "endocrinology"),
    ("血糖仪测出来二十多，点算好", None, None, "endocrinology"),
    # a headache painkillers do not touch, or with vomiting
    ("偏头痛发作，吃了两次布洛芬都没用", None, None, "neurology"),
    ("头痛了一天，吐了好几次", None, None, "neurology"),
    # hand, foot and mouth disease
    ("孩子手心脚心长了红点，嘴里也有泡，发烧38度5", 3, None, "pediatrics"),
    ("手足口病，宝宝唔肯食嘢", 2, None, "pediatrics"),
    # renal colic
    ("腰痛一阵一阵的，痛到大腿根，小便有点红", None, None, "urology"),
    # welding flash
    ("烧焊之后眼睛好痛，一直流眼水", None, None, "ophthalmology"),
    ("昨晚看了电焊，今天眼睛像进了沙", None, None, "ophthalmology"),
    # a child's ear pain with fever
    ("孩子发烧还一直扯耳朵哭", 2, None, "ent"),
    ("女儿耳仔痛喊咗成晚", 4, None, "ent"),
    # blunt eye injury
    ("足球打中眼睛，现在看东西朦朦的", None, None, "ophthalmology"),
    ("眼睛被人一拳打肿了", None, None, "ophthalmology"),
    # tonsils with pus and fever, or saliva that cannot be swallowed
    ("扁桃体化脓了，发高烧", None, None, "ent"),
    ("喉咙痛到咽口水都困难", None, None, "ent"),
    # shingles
    ("背上一边起了一串水泡，像针扎一样痛", 70, None, "dermatology"),
    # a back that locked
    ("闪亲条腰，宜家郁都郁唔到", None, None, "orthopedics"),
    ("腰痛到下不了床", None, None, "orthopedics"),
    # a metal, wood or glass chip flown into the eye
    ("用角磨机打磨，有铁屑飞进眼睛，眼泪流个不停", None, None, "ophthalmology"),
    ("钻墙的时候有碎屑弹入眼，好痛", None, None, "ophthalmology"),
    # a rash after starting a medicine
    ("吃了别嘌醇一个星期，全身出疹子", None, None, "dermatology"),
    ("打完吊针之后成身起红点", None, None, "dermatology"),
    # pus on the tonsils with fever (Cantonese 喉核, white patches)
    ("喉核有白点，发热38度", None, None, "ent"),
    ("发高烧，扁桃腺有白色脓点", None, None, "ent"),
    ("扁桃体上面有白色的东西，发烧39度", None, None, "ent"),
    # low platelets or bruising with bleeding
    ("血小板得三十几，手臂多咗好多瘀斑", None, None, "hematology"),
    ("大腿无端端好多乌青，牙肉出血", None, None, "hematology"),
    # spotting in early pregnancy
    ("验孕阳性，底裤有啲啡色", None, "female", "obstetrics"),
    ("早孕，有一点点褐色分泌物", None, None, "obstetrics"),
    ("测出怀孕6周，内裤上有点褐色", None, None, "obstetrics"),
    # fewer fetal movements
    ("BB今日郁少咗，我怀咗32周", None, None, "obstetrics"),
    ("孕36周，感觉宝宝动得比平时少", None, None, "obstetrics"),
    # vomiting and diarrhoea for a day, or in a child
    ("三岁女儿呕吐腹泻一整天", 3, None, "pediatrics"),
    ("囡囡又屙又呕成晚", 2, None, "pediatrics"),
    # a fall on the outstretched hand
    ("跌低手撑地，手腕好痛", None, None, "orthopedics"),
    ("摔倒后手腕肿起来，还变了形", None, None, "orthopedics"),
    # a bone stuck in the throat
    ("食鱼卡咗条骨喺喉咙", None, None, "ent"),
    ("食鸡鲠到骨，吞口水都痛", None, None, "ent"),
    # a psychosis or mania coming back
    ("躁郁症自己停咗药，成个礼拜冇点瞓，话好多", None, None, "psychiatry"),
    ("精神分裂复发，又开始自言自语", None, None, "psychiatry"),
    ("讲嘢好快，成晚唔瞓都唔攰", None, None, "psychiatry"),
    # a kidney infection: burning or bloody urine with loin pain, or loin pain with fever
    ("屙尿好痛，仲有血，腰眼痛", None, None, "urology"),
    ("腰痛，发冷发烧", None, None, "urology"),
    # a nail through the skin (tetanus)
    ("行山踩到生锈铁钉", None, None, "general_surgery"),
    ("俾铁钉拮穿只脚", None, None, "general_surgery"),
    # a dialysis patient with swelling or a cloudy bag
    ("洗肾嘅病人，呢两日对脚肿咗好多", None, None, "nephrology"),
    ("腹透之后肚痛，透析液好浑浊", None, None, "nephrology"),
    # a small object breathed in, even when the coughing stopped
    ("孙仔食瓜子呛亲，之后一直咳", 4, None, "ent"),
    ("个女食花生噎到，而家冇咩事", 3, None, "ent"),
    # a deep cut with a tendon showing or a finger that no longer straightens
    ("切菜切到手指，见到白色的筋", None, None, "general_surgery"),
    ("手指被刀切到，伸不直了", None, None, "general_surgery"),
    # a wound or a black patch on a diabetic foot
    ("有糖尿病，脚底烂咗个洞，流脓", None, None, "endocrinology"),
    ("血糖高好多年，脚趾头破了皮，现在发黑", 70, None, "endocrinology"),
    ("糖尿病足，伤口发黑了", None, None, "endocrinology"),
    # nosebleeds again and again today, or with high blood pressure
    ("今天流了四次鼻血", None, None, "ent"),
    ("我有高血压，今朝又流鼻血", None, None, "ent"),
    # days of toothache, then the face swells or a fever (dental abscess)
    ("牙疼了三天，今天半边脸都肿起来了", None, None, "stomatology"),
    ("牙痛好几日，今日开始发烧", None, None, "stomatology"),
    # a red, hot, swollen leg that spreads (cellulitis)
    ("大腿红肿热痛，范围越来越大", None, None, "general_surgery"),
    ("脚瓜红肿，仲好热", None, None, "general_surgery"),
    # hand, foot and mouth: the mouth named first, or palms and soles in other words
    ("女儿两岁，嘴里有溃疡，手上起红点", 2, None, "pediatrics"),
    ("细路口入面生痱滋，手脚有红点", 4, None, "pediatrics"),
    ("手心同脚底有红疹，发烧38度", 3, None, "pediatrics"),
    # blood pressure of 180/110 or more without symptoms
    ("血压测出来192/100，没有不舒服", None, None, "cardiology"),
    ("上压185，下压118", None, None, "cardiology"),
    ("量血压有一百九", None, None, "cardiology"),
    # a dislocated shoulder
    ("打篮球膊头甩咗", None, None, "orthopedics"),
    ("肩膀脱位了，手抬不起来", None, None, "orthopedics"),
    # chickenpox in an adult or in pregnancy, or with a cough and breathlessness
    ("三十几岁成人出水痘", None, None, "infectious"),
    ("水痘出咗三日，开始咳嗽气促", 40, None, "infectious"),
    ("怀孕五个月，出水痘", None, "female", "obstetrics"),
    # a needlestick (post-exposure prophylaxis)
    ("护士被用过的针头扎到手", None, None, "infectious"),
    ("清洁垃圾时俾针头拮亲", None, None, "infectious"),
    # INR far above range on warfarin
    ("INR 6.1，在吃华法林", None, None, "hematology"),
    ("华法林，INR很高", None, None, "hematology"),
    # a baby with a fever tugging at the ear
    ("宝宝一岁，发烧一天，不停抓耳朵", 1, None, "ent"),
    ("发热，一直拉住只耳仔哭", 2, None, "ent"),
    # vomiting that keeps no water down, in pregnancy or not
    ("有咗八周，吐到连水都饮唔落", None, "female", "obstetrics"),
    ("孕吐厉害，喝水都吐，小便很少", None, "female", "obstetrics"),
    ("上吐下泻，食乜呕乜", None, None, "gastroenterology"),
    # an infant or child vomiting milk with diarrhoea, or both for a day
    ("个女屙水又呕奶，成日都系咁", 1, None, "pediatrics"),
    ("宝宝腹泻还吐了好几次", 1, None, "pediatrics"),
    # epididymitis: a dragging testicular pain with fever or painful urination
    ("睾丸坠痛三天，今天发热了", None, "male", "urology"),
    ("阴囊胀痛，尿尿的时候也痛", None, None, "urology"),
    # an ankle sprain that swelled up or cannot take weight
    ("下楼梯扭了脚踝，肿成一个包，不敢落地", None, None, "orthopedics"),
    # labour at term: tightening at regular intervals, a show
    ("39周了，肚皮一阵一阵发硬，五分钟一次", None, "female", "obstetrics"),
    ("落红了，肚子一阵阵紧", None, "female", "obstetrics"),
    # renal colic said the northern way
    ("后腰一阵一阵的疼，往大腿根窜", None, None, "urology"),
    ("腰眼疼得厉害，尿发红", None, "male", "urology"),
    # a gum swelling that spreads to half the face
    ("牙龈肿到半边脸都肿了", None, None, "stomatology"),
    # pulled elbow: a small child who stops using the arm after it was pulled
    ("拖住个仔过马路扯了一下，佢只手就垂下唔肯郁", 3, None, "orthopedics"),
    ("女儿手肘被拽了一下，一碰就哭", 2, None, "orthopedics"),
    # a febrile seizure already seen by a doctor, or a seizure in the last days not yet seen
    ("囡囡寻日发烧抽咗一阵，睇过急诊，想问跟进", 2, None, "pediatrics"),
    ("孩子昨天抽了一下，现在好了", 4, None, "pediatrics"),
    # an asthma flare the inhaler relieves
    ("哮喘又发作了，喷了几下好多了，想今天看看", None, None, "respiratory"),
]


@pytest.mark.parametrize(("text", "age", "sex", "department"), URGENT)
def test_same_day_problems_are_urgent(
    text: str, age: float | None, sex: str | None, department: str
) -> None:
    result = default_engine().triage(text, age=age, sex=sex)
    assert (result.level, result.department, result.red_flags) == (
        Level.URGENT,
        department,
        (),
    ), result.matched


# Milder forms of the same problems stay where they were.
NOT_URGENT = [
    "牙痛两天，没有发烧",
    "耳朵痛，没发烧",
    "痛风，想开降尿酸药",
    "包皮过长想割",
    "扭亲脚，有啲痛，行路冇问题",
    "腰痛好多年了，想做理疗",
    "手足口病好了，可以上学吗",
    "头痛，吃了止痛药好了",
    "扁桃体肿大，没发烧",
    "生蛇好咗之后仲系痛",
    "糖尿病，血糖控制得还行，想开药",
    "个仔呕咗一次，屙咗一次，而家精神好好",
    "我上吐下泻",
    "扁桃体有白点，没有发烧",
    "扁桃体化脓，冇发烧",
    "血小板稍微低，冇出血，想复查",
    "测到两条杠，想预约建档",
    "洗肾三年，想问饮食",
    "我有精神病，想复诊开药",
    "眼瞓到擘唔开眼",
    "吃饭呛到了，咳了几下",
    "食咗药之后冇再出疹",
    "高血压20年，血压控制得好",
    "高血压18年，想开药",
    "血压150/95，头有啲晕",
    "INR 2.5，华法林照食",
    "一个月流几次鼻血",
    "今日流咗一次鼻血",
    "牙痛三日，今日面冇肿",
    "糖尿病足复查",
    "有糖尿病，脚有啲麻",
    "宝宝成日摸耳仔，冇发烧",
    "怀孕8周，有啲孕吐",
    "孕吐，饮水都冇问题",
    "蚊咬完红肿一大片",
    "打完疫苗手臂红肿一大片",
    "细路出水痘，精神好好",
    "我大人未出过水痘，想打疫苗",
    "打针之后针口有点痛",
]


# Mouth ulcers that keep coming back are worth a visit, not home care.
@pytest.mark.parametrize("text", ["成日生口腔溃疡，一个月几次", "口腔溃疡反反复复", "经常生痱滋"])
def test_recurring_mouth_ulcers_are_routine(text: str) -> None:
    result = default_engine().triage(text)
    assert (result.level, result.department) == (Level.ROUTINE, "stomatology"), result.matched


@pytest.mark.parametrize("text", NOT_URGENT)
def test_milder_forms_are_not_urgent(text: str) -> None:
    result = default_engine().triage(text)
    assert result.level not in (*EMERGENCIES, Level.URGENT), result.matched


# A past event, a worry or a harmless look-alike: the red-flag word inside is no alarm.
LOOK_ALIKES = [
    ("前年晕倒过一次，查了说是贫血，现在好了", "general_medicine"),
    ("小时候晕倒过几次，想体检", "general_medicine"),
    ("我爸三年前心梗装了支架，想开药", "cardiology"),
    ("得过心梗，现在定期复查，冇咩唔舒服", "cardiology"),
    ("血压高，想预防中风，吃什么药", "cardiology"),
    ("好惊会中风，想做个检查", "neurology"),
    ("胸口有个地方一按就痛，不按就不痛", "general_medicine"),
    ("心口按着才痛，是不是心脏病", "general_medicine"),
    ("打完农药手臂有点痒", "dermatology"),
    # a lopsided mouth put down to a dental anaesthetic just given
    ("啱啱剥完牙，打咗麻药，个嘴有啲歪", "stomatology"),
    ("嘴有点歪，刚拔完牙麻药还没过", "stomatology"),
    ("补完牙打了麻药，嘴巴歪歪的，正常吗", "stomatology"),
    # someone else's suicide in the news or a video
    ("看了自杀的新闻，我没有这种想法，就是睡不着", "psychiatry"),
    ("抖音见到有人跳楼，心里好难受，我自己不会这样做", "psychiatry"),
    # a wrong-medicine episode that is over
    ("上次吃错药洗过胃，现在没事，想问维生素能不能吃", "general_medicine"),
    ("去年食错药入院，好返之后一直冇事", "general_medicine"),
    # read online that a headache could be a brain bleed
    ("网上说头痛可能是脑出血，我有点担心，其实只是有点胀", "neurology"),
    ("小红书话长期头痛可能系脑出血先兆，想做个检查", "neurology"),
    # chest wall strain: after lifting, hurting only when pressed or when the arm moves
    ("搬完家之后胸口痛，按下去才痛", "orthopedics"),
    ("健身之后左胸痛，抬手先痛", "orthopedics"),
    ("前两日帮人搬嘢，心口痛，一揿先痛", "orthopedics"),
    # a wisdom tooth or another extraction just done, the anaesthetic not worn off
    ("啱啱剥完智齿，个嘴歪咗，麻药未过", "stomatology"),
    ("嘴巴有点歪，刚拔完智齿", "stomatology"),
    ("刚脱完牙，口有啲歪", "stomatology"),
    ("杜牙根打咗麻药，块面有啲歪", "stomatology"),
    # a febrile seizure that is over and was already seen, asking about follow-up
    ("个仔前日发烧抽过一次，去医院睇过，想问复诊", "pediatrics"),
    ("医生说是高热惊厥，现在退烧了，要复查吗", "pediatrics"),
    # an asthma flare the inhaler relieves
    ("哮喘发作，喷完药舒服啲，想睇门诊", "respiratory"),
    # chest wall strain with the lifting told after the pain
    ("按心口先痛，唔喘，琴日搬咗成日嘢", "orthopedics"),
    ("胸口一压就疼，前天健身练胸", "orthopedics"),
]


@pytest.mark.parametrize(("text", "department"), LOOK_ALIKES)
def test_look_alikes_are_not_emergencies(text: str, department: str) -> None:
    result = default_engine().triage(text)
    assert result.red_flags == (), result.red_flags
    assert result.level not in EMERGENCIES
    assert result.department == department


# A new sign next to a past event or a worry, or a complaint right after it: still an emergency.
STILL_EMERGENCIES = [
    ("以前中过风，今天又嘴歪", "stroke_signs"),
    ("去年晕倒过，今天又晕倒了", "fainting_unconscious"),
    ("十分钟以前晕倒过一次", "fainting_unconscious"),
    ("以前心梗放过支架，今天胸口又痛", "chest_pain"),
    ("以前心梗，今天心口有点不舒服", "chest_pain"),
    ("担心会中风，刚才突然讲嘢唔清楚", "stroke_signs"),
    ("怕中风，今天一边手脚没力", "stroke_signs"),
    ("我阿妈今日手有啲麻，好怕中风", "stroke_signs"),
    ("我爸手脚发软，会不会中风", "stroke_signs"),
    ("胸口按着才痛，不按不痛，今天又胸闷", "chest_tightness"),
    ("胸口一按就痛", "chest_pain"),  # pain on pressing alone does not say it is the only pain
    ("胸口走路才痛，是心梗吗", "chest_pain"),
    ("喷完农药之后头晕、出汗、流口水", "poisoning"),
    ("打农药时头晕想吐", "poisoning"),
    ("喷农药的时候不小心喝了一口", "poisoning"),
    ("喷完农药手痒，后来晕倒了", "fainting_unconscious"),
    ("冇饮农药，不过喷完农药之后一直呕", "poisoning"),
    ("喷农药后不停出汗", "poisoning"),
    # dental anaesthetic: a sign beside it, a droop days later, or an anaesthetic not dental
    ("刚补完牙，嘴有点歪，说话也不清楚", "stroke_signs"),
    ("拔完牙，嘴歪了，一边手没力", "stroke_signs"),
    ("补完牙第二天突然嘴歪", "stroke_signs"),
    ("嘴歪咗，上个星期拔过牙", "stroke_signs"),
    ("做完手术打了麻药，醒来嘴歪", "stroke_signs"),
    # the news: the writer's own thought, or a suicide close by, still is an alarm
    ("睇新闻见到有人自杀，我都想自杀", "suicide_self_harm"),
    ("看了自杀的新闻，我也有这种念头", "suicide_self_harm"),
    ("新闻话有个学生跳楼，我个仔都话想死", "suicide_self_harm"),
    ("我屋企有人自杀，点算", "suicide_self_harm"),
    # a past wrong medicine: not said to be over, or a new one
    ("上次食错药，今日又头晕呕吐", "poisoning"),
    ("去年佢食错药，今日又食错药", "poisoning"),
    ("上次吃错药洗过胃，冇事，今日个仔又误服咗降压药", "poisoning"),
    ("刚刚吃错药了", "poisoning"),
    # online worry: a bad headache, a new sign, or the writer's own direct question
    ("网上说头痛可能是脑出血，我现在突然头痛到爆", "thunderclap_headache"),
    ("我突然剧烈头痛，网上说可能是脑出血", "thunderclap_headache"),
    ("网上说头痛会不会脑出血，我爸突然讲嘢唔清", "stroke_signs"),
    ("上网查头痛系咪脑出血，我而家头痛到呕", "stroke_signs"),
    ("网上说头痛可能是脑出血，头痛得好犀利", "stroke_signs"),
    ("头好痛，是不是脑出血", "stroke_signs"),
    # chest wall strain: no 'only when', pain on walking, or a heart sign beside it
    ("搬完嘢之后胸口好痛", "chest_pain"),
    ("搬重嘢之后胸口痛，行路都痛", "chest_pain"),
    ("搬嘢之后胸口痛，一郁就痛", "chest_pain"),
    ("胸口痛，揿落去先痛", "chest_pain"),  # without the lifting, pressing alone is no all-clear
    ("搬完嘢之后胸口痛，揿先痛，出冷汗", "chest_pain"),
    ("搬完嘢心口痛，按才痛，仲有啲心慌", "chest_pain"),
    ("帮阿妈搬重嘢之后胸口痛，抬手先痛，痛到左手都麻", "chest_pain"),
    ("搬完屋胸口痛，揿先痛，今日仲胸闷", "chest_tightness"),
    ("搬屋之后胸口痛，揿落去先痛，透唔到气", "breathing_difficulty"),
    # a wisdom tooth: a droop days later, not put down to it, or with another sign
    ("拔完智齿第二日，突然嘴歪", "stroke_signs"),
    ("嘴歪了，上个月拔过智齿", "stroke_signs"),
    ("啱啱剥完智齿，嘴歪咗，讲嘢唔清楚", "stroke_signs"),
    ("刚拔完智齿，嘴歪，一边手脚没力", "stroke_signs"),
    # a febrile seizure seen before: a new seizure today is still an emergency
    ("上次抽过，医生说是热性惊厥，今天又抽了", "seizure"),
    ("个女前日抽筋过，睇过医生，而家仲喺度抽", "seizure"),
    ("孩子前天抽过，今天又抽了，看过医生", "seizure"),
    ("孩子发烧抽筋不停，上次医生说是热性惊厥", "seizure"),
    # an asthma flare: a sign outside the relief words, or a failing inhaler
    ("哮喘发作，喷药能缓解，但现在说不出话", "breathing_difficulty"),
    ("哮喘发作，喷了药好一点，嘴唇发紫", "breathing_difficulty"),
    ("哮喘发作，喷了药都冇用", "breathing_difficulty"),
    # chest wall strain told pain first: a heart sign beside it
    ("按胸口就痛，昨天搬家，今天出冷汗", "chest_pain"),
    ("揿心口痛，琴日搬屋，痛到左手", "chest_pain"),
    # testicular torsion is not taken by epididymitis
    ("蛋蛋突然剧痛，有点发烧", "testicular_torsion"),
]


@pytest.mark.parametrize(("text", "flag"), STILL_EMERGENCIES)
def test_new_signs_next_to_a_look_alike_are_still_emergencies(text: str, flag: str) -> None:
    result = default_engine().triage(text)
    assert flag in result.red_flags, (result.red_flags, result.matched)
    assert result.level in EMERGENCIES
