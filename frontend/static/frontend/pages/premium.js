// The premium page: featured studios (GET /api/studios/featured) and the people in the
// spotlight (GET /api/profiles/spotlight, in pages).

import { api } from "../api.js";
import "../app.js";
import { personCard, showFeatured } from "../cards.js";
import { $, fill, h, pageData, showError } from "../dom.js";

const data = pageData("page-data") || {};
const spotlight = $("#spotlight");
const more = $("#spotlight-more");
let nextPage = 1;

async function loadSpotlight() {
  more.disabled = true;
  try {
    const { results, count, page, page_size: pageSize } = await api(`/api/profiles/spotlight?page=${nextPage}`);
    if (nextPage === 1) {
      fill(spotlight, results.length ? h("ul", { class: "cards people" }) : h("p", { class: "muted" }, "Nobody in the spotlight yet."));
    }
    const list = spotlight.querySelector("ul");
    if (list) list.append(...results.map(personCard));
    nextPage += 1;
    more.hidden = page * pageSize >= count;
  } catch (err) {
    showError(spotlight, err);
  } finally {
    more.disabled = false;
    spotlight.removeAttribute("aria-busy");
  }
}

more.addEventListener("click", loadSpotlight);
showFeatured($("#featured"), { typeLabels: data.studio_types, serviceLabels: data.services });
loadSpotlight();
