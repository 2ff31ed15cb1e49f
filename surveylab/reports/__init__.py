"""Reports: building a report's sections and rendering its notebook to HTML and PDF.

- :mod:`surveylab.reports.survey` and :mod:`surveylab.reports.well`: the survey report (one run
  revision) and the well report (every run of a well), as named sections of HTML;
- :mod:`surveylab.reports.figures`: their static SVG figures (matplotlib);
- :mod:`surveylab.reports.content`: what the report notebooks call (sections prepared by the
  renderer, else built in the notebook's kernel);
- :mod:`surveylab.reports.render`: papermill executes a notebook of ``reports/notebooks/``, its
  outputs become one HTML page, :mod:`surveylab.reports.chromium` prints it to PDF;
- :mod:`surveylab.reports.kernel`: the IPython extension loaded into the report kernels.

Nothing is imported here: a report notebook's kernel imports :mod:`surveylab.reports.content`
alone, and it must stay light.
"""
