//! Site chrome around a report page, as government portals serve one: a head with style
//! sheets and scripts inline, a header with the site's banner and search box, navigation
//! menus of a few hundred links, a breadcrumb, the article (the report), related links, a
//! footer with the ICP record and the site identifier, and share and statistics widgets.
//! Real pages measured 100–355 KB; these are drawn between 100 and 350 KB. The chrome holds
//! what trips a reader in real pages: dates and years in menus and footers, numbers in scripts,
//! `<table>` inside a script string, Chinese in comments.

use super::Rng;

const MENU: &[&str] = &[
    "首页",
    "政务公开",
    "政府信息公开",
    "政府信息公开指南",
    "政府信息公开制度",
    "法定主动公开内容",
    "政府信息公开年报",
    "依申请公开",
    "机构职能",
    "领导信息",
    "政策文件",
    "政策解读",
    "规划计划",
    "财政信息",
    "人事信息",
    "统计信息",
    "应急管理",
    "政务服务",
    "办事指南",
    "互动交流",
    "领导信箱",
    "在线访谈",
    "征集调查",
    "新闻中心",
    "工作动态",
    "通知公告",
    "专题专栏",
    "营商环境",
    "乡村振兴",
    "双随机一公开",
    "行政执法公示",
    "权责清单",
    "公共资源交易",
    "重大项目",
    "民生实事",
];

const CSS_PROPS: &[&str] = &[
    "margin:0 auto",
    "padding:0 12px",
    "font-size:14px",
    "line-height:1.8",
    "color:#333",
    "background:#f5f5f5 url(/images/bg.png) repeat-x",
    "border-bottom:1px solid #e5e5e5",
    "display:inline-block",
    "float:left",
    "width:1200px",
    "height:36px",
    "overflow:hidden",
    "text-align:center",
    "font-family:\"Microsoft YaHei\",SimSun,serif",
    "position:relative",
];

fn css(r: &mut Rng, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 200);
    let mut n = 0;
    while out.len() < bytes {
        n += 1;
        out.push_str(&format!(
            ".m{}-{} .item{} a:hover,",
            r.below(90),
            n,
            r.below(40)
        ));
        out.push_str(&format!("#nav{} li{{", n));
        for _ in 0..2 + r.below(5) {
            out.push_str(*r.pick(CSS_PROPS));
            out.push(';');
        }
        out.push_str("}\n");
    }
    out
}

fn script(r: &mut Rng, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 200);
    let mut n = 0;
    while out.len() < bytes {
        n += 1;
        match r.below(5) {
            0 => out.push_str(&format!(
                "var _hmt{n}=_hmt||[];(function(){{var hm=document.createElement(\"script\");hm.src=\"https://hm.baidu.com/hm.js?{:016x}\";var s=document.getElementsByTagName(\"script\")[0];s.parentNode.insertBefore(hm,s);}})();\n",
                r.next()
            )),
            1 => out.push_str(&format!(
                "function renderList{n}(d){{var h='<table class=\"list\"><tr><td>'+d.title+'</td><td>'+d.date+'</td></tr></table>';$('#box{n}').html(h);}}\n"
            )),
            2 => out.push_str(&format!(
                "/* 栏目{n}：{}，更新于{}-{:02}-{:02} */ var cfg{n}={{id:{},size:{},page:{},total:{}}};\n",
                *r.pick(MENU),
                2015 + r.below(10),
                1 + r.below(12),
                1 + r.below(28),
                r.below(100000),
                10 + r.below(40),
                r.below(30),
                r.below(9999)
            )),
            3 => out.push_str(&format!(
                "if(window.location.href.indexOf('{}')>-1){{$(\".nav li\").eq({}).addClass(\"on\");}}\n",
                *r.pick(MENU),
                r.below(30)
            )),
            _ => out.push_str(&format!(
                "$(function(){{$('.slide{n}').slick({{autoplay:true,speed:{},dots:true}});$('.tab{n} li').hover(function(){{$(this).addClass('cur').siblings().removeClass('cur');}});}});\n",
                300 + r.below(900)
            )),
        }
    }
    out
}

fn menu(r: &mut Rng, items: usize) -> String {
    let mut out = String::from("<ul class=\"nav\">");
    for k in 0..items {
        out.push_str(&format!(
            "<li class=\"nav-item item{k}\"><a href=\"/col/col{}/index.html\" target=\"_blank\" title=\"{}\">{}</a></li>",
            r.below(90000),
            *r.pick(MENU),
            *r.pick(MENU)
        ));
    }
    out.push_str("</ul>\n");
    out
}

/// The report page `page` (an `<html>…<body>…</body></html>` of the generator) inside a site.
pub fn wrap(page: &str, agency: &str, year: i32, r: &mut Rng) -> String {
    let target = 100_000 + r.below(250_000) as usize;
    let body_start = page.find("<body>").map_or(0, |i| i + "<body>".len());
    let body_end = page.rfind("</body>").unwrap_or(page.len());
    let article = &page[body_start..body_end];
    let mut out = String::with_capacity(target + article.len() + 4096);
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head>\n<meta charset=\"utf-8\">\n<meta name=\"SiteName\" content=\"{agency}\">\n<meta name=\"ColumnName\" content=\"政府信息公开年报\">\n<title>{agency}{year}年政府信息公开工作年度报告_{agency}</title>\n"
    ));
    // A fifth of the chrome is style, a third script, the rest markup: menus and link lists.
    out.push_str("<style type=\"text/css\">\n");
    out.push_str(&css(r, target / 5));
    out.push_str("</style>\n<script type=\"text/javascript\">\n");
    out.push_str(&script(r, target / 6));
    out.push_str("</script>\n</head>\n<body>\n");
    out.push_str(&format!(
        "<div class=\"top\"><span>今天是{}年{}月{}日</span><a href=\"/\">无障碍浏览</a><a href=\"/\">长者模式</a><form action=\"/search\"><input name=\"q\" placeholder=\"请输入关键词\"><button>搜索</button></form></div>\n<div class=\"banner\"><img src=\"/images/logo.png\" alt=\"{agency}\"></div>\n",
        year + 1,
        1 + r.below(12),
        1 + r.below(28)
    ));
    // Menus of ~200-byte entries: two fifths of the page.
    out.push_str(&menu(r, (target * 2 / 5 / 200).max(30)));
    out.push_str(&format!(
        "<div class=\"crumb\">当前位置：<a href=\"/\">首页</a> &gt; <a href=\"/zwgk/\">政务公开</a> &gt; <a href=\"/zwgk/ndbg/\">政府信息公开年报</a></div>\n<div class=\"article\">\n<div class=\"info\">发布时间：{}-01-{:02} 来源：{agency} 浏览次数：{}</div>\n",
        year + 1,
        10 + r.below(18),
        r.below(5000)
    ));
    out.push_str(article);
    out.push_str("</div>\n<div class=\"related\"><h3>相关链接</h3>");
    out.push_str(&menu(r, 12));
    out.push_str("</div>\n<script type=\"text/javascript\">\n");
    let so_far = out.len();
    out.push_str(&script(r, target.saturating_sub(so_far + 1500).max(2000)));
    out.push_str(&format!(
        "</script>\n<div class=\"share\"><span>分享到：</span><a class=\"wx\">微信</a><a class=\"wb\">微博</a><a class=\"qq\">QQ空间</a></div>\n<div class=\"footer\"><p>主办单位：{agency}　承办单位：{agency}办公室</p><p>网站标识码：{:010}　赣ICP备{:08}号-{}　赣公网安备 {:014}号</p><p>版权所有 © 2008-{} 联系电话：0797-{:07}</p><p>建议使用1920×1080分辨率浏览</p></div>\n</body>\n</html>\n",
        r.below(10_000_000_000),
        r.below(100_000_000),
        1 + r.below(5),
        r.below(100_000_000_000_000),
        year + 1,
        r.below(10_000_000)
    ));
    out
}
