// The home page: featured studios (GET /api/studios/featured) and the search box.

import { api } from "../api.js";
import "../app.js";
import { studioCard } from "../cards.js";
import { $, fill, h, pageData, showError } from "../dom.js";

const data = pageData("page-data") || {};
const featured = $("#featured");

async function load() {
  try {
    const { results } = await api("/api/studios/featured");
    fill(
      featured,
      results.length
        ? h("ul", { class: "cards" }, results.map((s) => studioCard(s, { typeLabels: data.studio_types, serviceLabels: data.services })))
        : h("p", { class: "muted" }, "No featured studios yet."),
    );
  } catch (err) {
    showError(featured, err);
  } finally {
    featured.removeAttribute("aria-busy");
  }
}

load();
