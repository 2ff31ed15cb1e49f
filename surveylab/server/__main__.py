"""``python -m surveylab.server DIR --port P``: the dashboards' server
(:mod:`surveylab.server.voila_app`)."""

from surveylab.server.voila_app import main

if __name__ == "__main__":
    main()
