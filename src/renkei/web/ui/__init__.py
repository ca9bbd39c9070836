"""The admin pages: server-rendered Jinja2 templates, strings from the catalogues, a little own JavaScript."""
