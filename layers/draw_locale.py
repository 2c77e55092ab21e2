"""The drawing tools' own words in Chinese (Leaflet.draw's ``L.drawLocal``).

Leaflet.draw ships its buttons, tooltips and hints in English only; a Chinese map
sets them before its toolbar is made (:func:`layers.render.build_map`). Only the
tools the parks page offers (polygon, rectangle, delete) and what they say are
translated; the keys follow Leaflet.draw 1.0.4's ``drawLocal``.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["DRAW_LOCAL_ZH", "draw_locale_js"]

DRAW_LOCAL_ZH: dict[str, Any] = {
    "draw": {
        "toolbar": {
            "actions": {"title": "取消绘制", "text": "取消"},
            "finish": {"title": "完成绘制", "text": "完成"},
            "undo": {"title": "删除最后一个点", "text": "删除最后一点"},
            "buttons": {"polygon": "画多边形（规划公园）", "rectangle": "画矩形（规划公园）"},
        },
        "handlers": {
            "polygon": {
                "tooltip": {
                    "start": "点击地图开始绘制。",
                    "cont": "继续点击添加顶点。",
                    "end": "点击第一个点闭合图形。",
                }
            },
            "polyline": {
                "error": "<strong>错误：</strong>边不能相交！",
                "tooltip": {
                    "start": "点击地图开始绘制。",
                    "cont": "继续点击添加顶点。",
                    "end": "点击最后一个点完成。",
                },
            },
            "rectangle": {"tooltip": {"start": "按住并拖动以绘制矩形。"}},
            "simpleshape": {"tooltip": {"end": "松开鼠标完成绘制。"}},
        },
    },
    "edit": {
        "toolbar": {
            "actions": {
                "save": {"title": "保存修改", "text": "保存"},
                "cancel": {"title": "取消编辑，放弃所有修改", "text": "取消"},
                "clearAll": {"title": "清除所有图形", "text": "全部清除"},
            },
            "buttons": {
                "edit": "编辑图形",
                "editDisabled": "没有可编辑的图形",
                "remove": "删除图形",
                "removeDisabled": "没有可删除的图形",
            },
        },
        "handlers": {
            "edit": {
                "tooltip": {"text": "拖动控制点以编辑图形。", "subtext": "点击取消可撤销修改。"}
            },
            "remove": {"tooltip": {"text": "点击要删除的图形。"}},
        },
    },
}

# Merge the words into L.drawLocal, key by key (what is not translated keeps Leaflet.draw's).
_MERGE_JS = """
(function () {
  if (!window.L || !L.drawLocal) { return; }
  function merge(into, from) {
    Object.keys(from).forEach(function (k) {
      if (from[k] && typeof from[k] === 'object' && into[k]) { merge(into[k], from[k]); }
      else { into[k] = from[k]; }
    });
  }
  merge(L.drawLocal, WORDS);
})();
"""


def draw_locale_js(lang: str) -> str:
    """Return the script that sets the drawing tools' words in ``lang`` ("" for English)."""
    if lang != "zh":
        return ""
    return _MERGE_JS.replace("WORDS", json.dumps(DRAW_LOCAL_ZH, ensure_ascii=False))
