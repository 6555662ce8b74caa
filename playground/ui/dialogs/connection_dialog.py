"""The Connections dialog: saved profiles on the left, the selected one's form on the right.

Keys are typed here and handed to the view model, which puts them in the keyring (or this
session's memory, and then the dialog says so). A saved key is never shown again; leaving the
key box empty keeps it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from playground.api.dialects import (
    AZURE_ASSISTANTS_API_VERSIONS,
    DEFAULT_AZURE_API_VERSION,
    FOUNDRY_API_VERSIONS,
)
from playground.connection.contract import ProfileKeys
from playground.connection.embedded import default_model_settings
from playground.store.profiles import (
    AuthMode,
    ConnectionProfile,
    FoundryCredential,
    ProfileKind,
)
from playground.ui.viewmodels.connection import (
    FOUNDRY_RETIREMENT_NOTE,
    ConnectionViewModel,
    TestReport,
)

KIND_LABELS = {
    ProfileKind.EMBEDDED: "Embedded runtime (local)",
    ProfileKind.AZURE: "Azure OpenAI",
    ProfileKind.OPENAI: "OpenAI-style server",
    ProfileKind.FOUNDRY: "Azure AI Foundry Agents (classic)",
}
CREDENTIAL_LABELS = {
    FoundryCredential.AZURE_CLI: "Azure CLI (az login)",
    FoundryCredential.DEVICE_CODE: "Device code",
    FoundryCredential.INTERACTIVE_BROWSER: "Interactive browser",
}


def _key_box(placeholder: str) -> QLineEdit:
    box = QLineEdit()
    box.setEchoMode(QLineEdit.EchoMode.Password)
    box.setPlaceholderText(placeholder)
    return box


class ConnectionDialog(QDialog):
    def __init__(self, vm: ConnectionViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connections")
        self.setModal(False)
        self.resize(760, 460)
        self._vm = vm
        self._editing: ConnectionProfile | None = None
        self._filling = False

        self.list = QListWidget()
        self.new_button = QPushButton("New")
        self.delete_button = QPushButton("Delete")
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.delete_button)
        left.addLayout(row)

        self.name = QLineEdit()
        self.kind = QComboBox()
        for kind, label in KIND_LABELS.items():
            self.kind.addItem(label, kind.value)
        self.pages = QStackedWidget()
        self._build_pages()
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b00020;")
        self.key_note = QLabel()
        self.key_note.setWordWrap(True)
        self.key_note.setStyleSheet("color: #555555;")
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_button = QPushButton("Test connection")
        self.test_button.setToolTip(
            "Tries these settings on the side; the live connection is not changed"
        )
        self.save_button = QPushButton("Save && connect")
        self.save_button.setDefault(True)
        self.close_button = QPushButton("Close")

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Kind", self.kind)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.pages)
        right.addWidget(self.problems)
        right.addWidget(self.key_note)
        right.addWidget(self.result_label, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        right.addLayout(buttons)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addLayout(right, 3)
        self._connect_signals()

    def _build_pages(self) -> None:
        # Embedded
        embedded = QWidget()
        f = QFormLayout(embedded)
        self.model_url = QLineEdit()
        default_url, _ = default_model_settings()
        self.model_url.setPlaceholderText(
            f"default: {default_url}"
            if default_url
            else "http://127.0.0.1:11434/v1 (Ollama, vLLM, LM Studio…)"
        )
        self.model_name = QLineEdit()
        self.model_name.setPlaceholderText("e.g. llama3.2")
        self.model_key = _key_box("only if the model endpoint needs one")
        f.addRow("Model endpoint", self.model_url)
        f.addRow("Model name", self.model_name)
        f.addRow("Model key", self.model_key)
        # Azure
        azure = QWidget()
        f = QFormLayout(azure)
        self.azure_endpoint = QLineEdit()
        self.azure_endpoint.setPlaceholderText("https://RESOURCE.openai.azure.com")
        self.azure_version = QComboBox()
        for v in reversed(AZURE_ASSISTANTS_API_VERSIONS):
            self.azure_version.addItem(f"{v.version} ({v.family})", v.version)
        self.azure_auth = QComboBox()
        self.azure_auth.addItem("API key", AuthMode.API_KEY.value)
        self.azure_auth.addItem("Microsoft Entra ID", AuthMode.ENTRA.value)
        self.azure_key = _key_box("api-key")
        f.addRow("Endpoint", self.azure_endpoint)
        f.addRow("API version", self.azure_version)
        f.addRow("Sign in with", self.azure_auth)
        f.addRow("Key", self.azure_key)
        # OpenAI-style
        openai = QWidget()
        f = QFormLayout(openai)
        self.openai_url = QLineEdit()
        self.openai_url.setPlaceholderText("https://host/v1")
        self.openai_key = _key_box("Bearer key")
        self.openai_family = QComboBox()
        self.openai_family.addItem("Assistants v2", "v2")
        self.openai_family.addItem("Assistants v1", "v1")
        f.addRow("Base URL", self.openai_url)
        f.addRow("Key", self.openai_key)
        f.addRow("API", self.openai_family)
        # Foundry
        foundry = QWidget()
        f = QFormLayout(foundry)
        self.foundry_endpoint = QLineEdit()
        self.foundry_endpoint.setPlaceholderText(
            "https://ACCOUNT.services.ai.azure.com/api/projects/PROJECT"
        )
        self.foundry_version = QComboBox()
        for version in FOUNDRY_API_VERSIONS:
            self.foundry_version.addItem(version, version)
        self.foundry_credential = QComboBox()
        for cred, label in CREDENTIAL_LABELS.items():
            self.foundry_credential.addItem(label, cred.value)
        note = QLabel(FOUNDRY_RETIREMENT_NOTE + " Threads are listed from the server.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #8a5a00;")
        f.addRow("Project endpoint", self.foundry_endpoint)
        f.addRow("API version", self.foundry_version)
        f.addRow("Sign in with", self.foundry_credential)
        f.addRow(note)
        self._page_of = {
            ProfileKind.EMBEDDED: self.pages.addWidget(embedded),
            ProfileKind.AZURE: self.pages.addWidget(azure),
            ProfileKind.OPENAI: self.pages.addWidget(openai),
            ProfileKind.FOUNDRY: self.pages.addWidget(foundry),
        }

    def _connect_signals(self) -> None:
        self._vm.profiles_changed.connect(self.refresh_list)
        self._vm.test_finished.connect(self.on_vm_test_finished)
        self._vm.key_storage_changed.connect(self.key_note.setText)
        self.list.currentItemChanged.connect(self.on_list_current_changed)
        self.kind.currentIndexChanged.connect(self.on_form_changed)
        self.new_button.clicked.connect(self.on_new_clicked)
        self.delete_button.clicked.connect(self.on_delete_clicked)
        self.test_button.clicked.connect(self.on_test_clicked)
        self.save_button.clicked.connect(self.on_save_clicked)
        self.close_button.clicked.connect(self.close)
        self.azure_auth.currentIndexChanged.connect(self.on_form_changed)
        for edit in (
            self.name,
            self.model_url,
            self.azure_endpoint,
            self.openai_url,
            self.foundry_endpoint,
        ):
            edit.textChanged.connect(self.on_form_changed)

    # -- opening --------------------------------------------------------------------------

    def open_for(self, profile_id: str | None) -> None:
        self.refresh_list()
        profile = self._vm.profile(profile_id) if profile_id else None
        if profile is not None:
            self._select(profile.id)
        elif self._vm.profiles:
            self._select(self._vm.profiles[0].id)
        if not self.key_note.text():
            self._vm.check_key_storage()
        self.show()
        self.raise_()

    def refresh_list(self) -> None:
        current = self._editing.id if self._editing else None
        self._filling = True
        try:
            self.list.clear()
            for profile in self._vm.profiles:
                item = QListWidgetItem(profile.name)
                item.setData(Qt.ItemDataRole.UserRole, profile.id)
                item.setToolTip(KIND_LABELS[profile.kind])
                self.list.addItem(item)
        finally:
            self._filling = False
        if current:
            self._select(current)

    def _select(self, profile_id: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == profile_id:
                self.list.setCurrentRow(row)
                profile = self._vm.profile(profile_id)
                if profile is not None:
                    self.load_profile(profile)
                return

    # -- form <-> profile -----------------------------------------------------------------

    def load_profile(self, profile: ConnectionProfile) -> None:
        self._filling = True
        try:
            self._editing = profile
            self.name.setText(profile.name)
            self.kind.setCurrentIndex(self.kind.findData(profile.kind.value))
            self.model_url.setText(profile.model_base_url)
            self.model_name.setText(profile.model_name)
            for box in (self.model_key, self.azure_key, self.openai_key):
                box.clear()
                box.setPlaceholderText("leave empty to keep the saved key")
            url = profile.base_url
            self.azure_endpoint.setText(url if profile.kind is ProfileKind.AZURE else "")
            self.openai_url.setText(url if profile.kind is ProfileKind.OPENAI else "")
            self.foundry_endpoint.setText(url if profile.kind is ProfileKind.FOUNDRY else "")
            version = profile.api_version or DEFAULT_AZURE_API_VERSION
            index = self.azure_version.findData(version)
            self.azure_version.setCurrentIndex(max(0, index))
            self.foundry_version.setCurrentIndex(
                max(0, self.foundry_version.findData(profile.api_version))
            )
            self.azure_auth.setCurrentIndex(
                max(0, self.azure_auth.findData(profile.auth_mode.value))
            )
            self.openai_family.setCurrentIndex(
                max(0, self.openai_family.findData(profile.api_family))
            )
            self.foundry_credential.setCurrentIndex(
                max(0, self.foundry_credential.findData(profile.foundry_credential.value))
            )
            self.result_label.clear()
        finally:
            self._filling = False
        self.on_form_changed()

    def current_kind(self) -> ProfileKind:
        return ProfileKind(self.kind.currentData())

    def form_profile(self) -> ConnectionProfile:
        """The profile as the form stands (same id as the one being edited)."""
        kind = self.current_kind()
        data: dict[str, object] = {"name": self.name.text(), "kind": kind}
        if self._editing is not None:
            data["id"] = self._editing.id
            data["created_at"] = self._editing.created_at
        if kind is ProfileKind.EMBEDDED:
            data.update(
                model_base_url=self.model_url.text(),
                model_name=self.model_name.text(),
                auth_mode=AuthMode.NONE,
            )
        elif kind is ProfileKind.AZURE:
            data.update(
                base_url=self.azure_endpoint.text(),
                api_version=self.azure_version.currentData(),
                auth_mode=AuthMode(self.azure_auth.currentData()),
            )
        elif kind is ProfileKind.OPENAI:
            data.update(
                base_url=self.openai_url.text(),
                api_family=self.openai_family.currentData(),
                auth_mode=AuthMode.API_KEY,
            )
        else:
            data.update(
                base_url=self.foundry_endpoint.text(),
                api_version=self.foundry_version.currentData(),
                auth_mode=AuthMode.ENTRA,
                foundry_credential=FoundryCredential(self.foundry_credential.currentData()),
            )
        return ConnectionProfile.model_validate(data)

    def form_keys(self) -> ProfileKeys:
        kind = self.current_kind()
        api_key = {
            ProfileKind.AZURE: self.azure_key.text(),
            ProfileKind.OPENAI: self.openai_key.text(),
        }.get(kind, "")
        model_key = self.model_key.text() if kind is ProfileKind.EMBEDDED else ""
        return ProfileKeys(api_key=api_key or None, model_key=model_key or None)

    # -- slots ----------------------------------------------------------------------------

    def on_list_current_changed(self, current: QListWidgetItem | None, _prev: object) -> None:
        if self._filling or current is None:
            return
        profile = self._vm.profile(str(current.data(Qt.ItemDataRole.UserRole)))
        if profile is not None:
            self.load_profile(profile)

    def on_form_changed(self) -> None:
        if self._filling:
            return
        kind = self.current_kind()
        self.pages.setCurrentIndex(self._page_of[kind])
        self.azure_key.setEnabled(self.azure_auth.currentData() == AuthMode.API_KEY.value)
        problems = self.form_profile().problems()
        self.problems.setText(" ".join(problems))
        self.save_button.setEnabled(not problems)
        self.test_button.setEnabled(not problems)

    def on_new_clicked(self) -> None:
        self._editing = None
        self.list.clearSelection()
        self.load_profile(ConnectionProfile(name="New connection", kind=ProfileKind.OPENAI))
        self._editing = None

    def on_delete_clicked(self) -> None:
        if self._editing is None:
            return
        answer = QMessageBox.question(
            self, "Delete the connection", f"Delete “{self._editing.name}” and its saved key?"
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._vm.delete(self._editing.id)
            self._editing = None

    def on_test_clicked(self) -> None:
        self.result_label.setText("Testing…")
        self._vm.test(self.form_profile(), self.form_keys())

    def on_save_clicked(self) -> None:
        profile = self.form_profile()
        self._editing = profile
        self._vm.save(profile, self.form_keys())
        for box in (self.model_key, self.azure_key, self.openai_key):
            box.clear()
        # Connecting goes on in the window (its status line follows); the thread and the
        # assistant are put back once connected.
        self.close()

    def on_vm_test_finished(self, report: object) -> None:
        if isinstance(report, TestReport):
            headline = "The connection works." if report.ok else "Some checks failed."
            self.result_label.setText(f"{headline}\n{report.text()}")
