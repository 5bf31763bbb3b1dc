// The FAQ page: GET /api/faq, one disclosure per entry (questions and answers stay text).

import { api } from "../api.js";
import "../app.js";
import { $, fill, h, showError } from "../dom.js";

const root = $("#faq");

async function load() {
  try {
    const entries = await api("/api/faq");
    fill(
      root,
      entries.length
        ? entries.map((entry) =>
            h(
              "details",
              { class: "faq-entry", dataset: { faqId: entry.id } },
              h("summary", {}, entry.question),
              h("p", { class: "content" }, entry.answer),
            ),
          )
        : h("p", { class: "muted" }, "No questions yet."),
    );
  } catch (err) {
    showError(root, err);
  } finally {
    root.removeAttribute("aria-busy");
  }
}

load();
