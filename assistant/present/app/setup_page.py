"""What an app that must not open shows instead: how to configure access (the only page served),
and the banner of an app opened on purpose with BRIEFING_ALLOW_OPEN=1."""
from __future__ import annotations

import streamlit as st

TITLE = "アクセスの設定が必要です"
BANNER = ("アクセス制御なしで公開中です。ネットワーク上の誰でも、このアプリで質問し、想定問答を編集・承認できます"
          "（BRIEFING_ALLOW_OPEN=1 が設定されています）。パスワードか組織アカウントでのログインを設定してください。")

ROLES_EXAMPLE = """[auth]
redirect_uri = "https://briefing.city.example.lg.jp/oauth2callback"
cookie_secret = "（長い乱数）"
client_id = "…"
client_secret = "…"
server_metadata_url = "https://idp.city.example.lg.jp/.well-known/openid-configuration"

[roles]
approve = ["kacho@city.example.lg.jp"]   # 承認
edit = ["@koho.city.example.lg.jp"]      # 編集（@ で始まるとドメイン全体）
view = ["@city.example.lg.jp"]           # 閲覧"""


def _where(address: str | None) -> str:
    return f"アドレス {address}" if address else "すべてのネットワーク（アドレスの指定なし）"


def render(address: str | None) -> None:
    st.title(TITLE)
    st.error(f"このアプリは{_where(address)}で待ち受けていて、ほかのコンピューターから接続できます。"
             "ところが、パスワードも組織アカウントでのログイン（OIDC）も設定されていません。"
             "ブリーフィング、想定問答、監査の記録を守るため、設定が済むまでこのページ以外は表示しません。",
             icon=":material/lock:")
    st.markdown("管理者は、次のいずれかを設定してから、アプリを起動し直してください。")
    st.markdown("**1. 共有パスワード**　環境変数 `BRIEFING_APP_PASSWORD`、または `.streamlit/secrets.toml` に "
                "`password = \"…\"` を書きます。パスワードを知る人は全員「編集」の権限になります。承認には別の承認者パスワード"
                "（`approver_password` または `BRIEFING_APPROVER_PASSWORD`）を設定します。")
    st.markdown("**2. 組織アカウント（OIDC）**　`.streamlit/secrets.toml` に `[auth]` と、権限の割り当て `[roles]` を書きます。"
                "承認者は、ログインしている本人として記録されます。")
    st.code(ROLES_EXAMPLE, language="toml")
    st.markdown("**3. このコンピューターだけで使う**　`--server.address 127.0.0.1` で起動します（`make run` はこの設定です）。")
    st.caption("どうしても認証なしで公開する場合だけ `BRIEFING_ALLOW_OPEN=1` を設定します。その場合は誰でも閲覧・編集・承認でき、"
               "すべてのページに警告が表示されます。おすすめしません。")


def open_banner(address: str | None) -> None:
    st.warning(f"{BANNER}（待ち受け：{_where(address)}）", icon=":material/warning:")
