// The home page: featured studios (GET /api/studios/featured) and the search box.

import "../app.js";
import { showFeatured } from "../cards.js";
import { $, pageData } from "../dom.js";

const data = pageData("page-data") || {};
showFeatured($("#featured"), { typeLabels: data.studio_types, serviceLabels: data.services });
