//! Russian texts.

use super::Key;

pub(super) fn text(key: Key) -> &'static str {
    match key {
        Key::SkipToContent => "Перейти к содержимому",
        Key::NavHome => "Главная",
        Key::NavOpenApp => "Открыть приложение",
        #[cfg(feature = "chat")]
        Key::NavChat => "Чат",
        Key::ThemeLabel => "Цветовая тема",
        Key::ThemeSystem => "Системная тема",
        Key::ThemeLight => "Светлая тема",
        Key::ThemeDark => "Тёмная тема",
        Key::LanguageLabel => "Язык",
        Key::Loading => "Загрузка…",
        Key::ErrorGeneric => "Что-то пошло не так. Попробуйте ещё раз.",
        Key::FooterTagline => "ИИ-чат, аккаунты и оплата в одной кодовой базе на Rust.",
        Key::FooterRights => "Все права защищены.",
        Key::HeroTitle => "Ваш ИИ-ассистент — всегда под рукой",
        Key::HeroSubtitle => {
            "Зарегистрируйтесь за секунды, выберите способ оплаты и работайте с ведущими ИИ-моделями. Ваши разговоры принадлежат только вам."
        }
        Key::CtaLearnMore => "Как это работает",
        Key::FeaturesTitle => "Всё нужное, ничего лишнего",
        Key::FeatureAccountsTitle => "Аккаунт — как вам удобно",
        Key::FeatureAccountsBody => "Входите удобным способом. Приглашённые гости получают доступ без оплаты.",
        #[cfg(feature = "stripe_payment")]
        Key::FeatureBillingTitle => "Простая и безопасная оплата",
        #[cfg(feature = "stripe_payment")]
        Key::FeatureBillingBody => "Оплата картой через Stripe. Меняйте тариф или отменяйте подписку в любой момент.",
        #[cfg(feature = "chat")]
        Key::FeatureChatTitle => "Потоковый ИИ-чат",
        #[cfg(feature = "chat")]
        Key::FeatureChatBody => "Ответы появляются по мере написания — от выбранной вами модели.",
        Key::FeatureFastTitle => "Быстро на любом устройстве",
        Key::FeatureFastBody => "Лёгкая страница, одинаково удобная на телефоне и на компьютере.",
        Key::NotFoundTitle => "Страница не найдена",
        Key::NotFoundBody => "Страница, которую вы ищете, не существует или была перемещена.",
        Key::NotFoundBack => "Вернуться на главную",
        Key::HoldingTitle => "Вы в системе",
        Key::HoldingBody => "Ваш аккаунт готов. Новые возможности уже в пути — мы сообщим, когда они появятся.",
        #[cfg(feature = "chat")]
        Key::ChatTitle => "Чат",
        #[cfg(feature = "chat")]
        Key::ChatEmptyTitle => "Начните разговор",
        #[cfg(feature = "chat")]
        Key::ChatEmptyBody => "Спросите что угодно: ответ появляется по мере написания.",
        #[cfg(feature = "chat")]
        Key::ChatNew => "Новый чат",
        #[cfg(feature = "chat")]
        Key::ChatConversations => "Разговоры",
        #[cfg(feature = "chat")]
        Key::ChatSearch => "Поиск по разговорам",
        #[cfg(feature = "chat")]
        Key::ChatNoConversations => "Разговоров пока нет.",
        #[cfg(feature = "chat")]
        Key::ChatNoMatches => "Нет разговоров с таким названием.",
        #[cfg(feature = "chat")]
        Key::ChatRename => "Переименовать",
        #[cfg(feature = "chat")]
        Key::ChatDelete => "Удалить",
        #[cfg(feature = "chat")]
        Key::ChatDeleteConfirm => "Удалить этот разговор и его сообщения?",
        #[cfg(feature = "chat")]
        Key::ChatCancel => "Отмена",
        #[cfg(feature = "chat")]
        Key::ChatSave => "Сохранить",
        #[cfg(feature = "chat")]
        Key::ChatTitleLabel => "Название разговора",
        #[cfg(feature = "chat")]
        Key::ChatModel => "Модель",
        #[cfg(feature = "chat")]
        Key::ChatDemoModel => "Демо-модель (офлайн)",
        #[cfg(feature = "chat")]
        Key::ChatMessageLabel => "Сообщение",
        #[cfg(feature = "chat")]
        Key::ChatPlaceholder => "Спросите что угодно. Enter отправляет, Shift+Enter — новая строка.",
        #[cfg(feature = "chat")]
        Key::ChatCharCount => "{count} / {max} символов",
        #[cfg(feature = "chat")]
        Key::ChatSend => "Отправить",
        #[cfg(feature = "chat")]
        Key::ChatStop => "Остановить",
        #[cfg(feature = "chat")]
        Key::ChatHistoryTrimmed => {
            "Модель увидела только последнюю часть разговора: {count} более ранних сообщений не поместились в её контекст."
        }
        #[cfg(feature = "chat")]
        Key::ChatRegenerate => "Ответить заново",
        #[cfg(feature = "chat")]
        Key::ChatCopy => "Копировать",
        #[cfg(feature = "chat")]
        Key::ChatCopied => "Скопировано",
        #[cfg(feature = "chat")]
        Key::ChatCopyFailed => "Не удалось скопировать",
        #[cfg(feature = "chat")]
        Key::ChatRetry => "Повторить",
        #[cfg(feature = "chat")]
        Key::ChatYou => "Вы",
        #[cfg(feature = "chat")]
        Key::ChatAssistant => "Ассистент",
        #[cfg(feature = "chat")]
        Key::ChatWriting => "Пишет…",
        #[cfg(feature = "chat")]
        Key::ChatStopped => "Остановлено: остаток ответа не написан.",
        #[cfg(feature = "chat")]
        Key::ChatJumpToLatest => "К последнему",
        #[cfg(feature = "chat")]
        Key::ChatLoadFailed => "Не удалось загрузить.",
        #[cfg(feature = "chat")]
        Key::ChatErrIdleTimeout => "Модель перестала отвечать, не закончив ответ.",
        #[cfg(feature = "chat")]
        Key::ChatErrUnreachable => "Не удалось связаться с поставщиком модели. Возможно, он недоступен.",
        #[cfg(feature = "chat")]
        Key::ChatErrRefused => "Поставщик модели отклонил запрос.",
        #[cfg(feature = "chat")]
        Key::ChatErrProvider => "Поставщик модели сообщил об ошибке.",
        #[cfg(feature = "chat")]
        Key::ChatErrInterrupted => "Ответ оборвался.",
        #[cfg(feature = "chat")]
        Key::ChatErrNetwork => "Сервер недоступен. Проверьте подключение и попробуйте снова.",
        #[cfg(all(feature = "local_auth", any(feature = "google_auth", feature = "github_auth")))]
        Key::Or => "или",
        Key::EmailLabel => "Электронная почта",
        Key::PasswordLabel => "Пароль",
        Key::DisplayNameLabel => "Имя",
        Key::RememberMe => "Не выходить из системы",
        Key::SignInTitle => "Вход",
        Key::SignInButton => "Войти",
        Key::SignInLink => "Войти",
        Key::SigningIn => "Входим…",
        Key::SignUpTitle => "Создайте учётную запись",
        Key::SignUpButton => "Создать учётную запись",
        Key::SignUpLink => "Регистрация",
        Key::CreatingAccount => "Создаём учётную запись…",
        Key::NoAccountYet => "Впервые здесь?",
        Key::CreateAccountLink => "Создайте учётную запись",
        Key::HaveAccount => "Уже есть учётная запись?",
        Key::SignOut => "Выйти",
        Key::SigningOut => "Выходим…",
        Key::Continue => "Продолжить",
        Key::Save => "Сохранить",
        Key::Saved => "Сохранено.",
        Key::Saving => "Сохраняем…",
        Key::Sending => "Отправляем…",
        Key::Deleting => "Удаляем…",
        Key::NavAdmin => "Админка",
        #[cfg(feature = "local_auth")]
        Key::MethodEmailPassword => "адрес и пароль",
        #[cfg(feature = "google_auth")]
        Key::MethodGoogle => "Google",
        #[cfg(feature = "github_auth")]
        Key::MethodGitHub => "GitHub",
        #[cfg(feature = "google_auth")]
        Key::ContinueWithGoogle => "Продолжить через Google",
        #[cfg(feature = "github_auth")]
        Key::ContinueWithGitHub => "Продолжить через GitHub",
        Key::NoticeSignInToVerify => {
            "Войдите, чтобы подтвердить адрес электронной почты. Если этот аккаунт создавали не вы, сбросьте его пароль: это докажет, что адрес ваш."
        }
        Key::NoticePasswordResetSignIn => "Пароль изменён, все сеансы завершены. Войдите с новым паролем.",
        #[cfg(feature = "local_auth")]
        Key::PasswordHint => "Не меньше 8 символов. Длинную фразу проще запомнить и сложнее угадать.",
        #[cfg(feature = "local_auth")]
        Key::NewPasswordLabel => "Новый пароль",
        #[cfg(feature = "local_auth")]
        Key::CurrentPasswordLabel => "Текущий пароль",
        #[cfg(feature = "local_auth")]
        Key::ForgotPasswordLink => "Забыли пароль?",
        #[cfg(feature = "local_auth")]
        Key::ForgotTitle => "Сброс пароля",
        #[cfg(feature = "local_auth")]
        Key::ForgotBody => {
            "Укажите адрес электронной почты вашей учётной записи, и мы пришлём ссылку для выбора нового пароля."
        }
        #[cfg(feature = "local_auth")]
        Key::ForgotButton => "Прислать ссылку",
        #[cfg(feature = "local_auth")]
        Key::ForgotSent => {
            "Если учётная запись с этим адресом существует, ссылка для сброса уже в пути. Она действует один час."
        }
        Key::BackToSignIn => "Вернуться ко входу",
        #[cfg(feature = "local_auth")]
        Key::ResetTitle => "Выберите новый пароль",
        #[cfg(feature = "local_auth")]
        Key::ResetButton => "Сохранить новый пароль",
        #[cfg(feature = "local_auth")]
        Key::ResetAskAgain => "Нужна новая ссылка?",
        #[cfg(feature = "local_auth")]
        Key::VerifyTitle => "Подтвердите адрес",
        #[cfg(feature = "local_auth")]
        Key::VerifyConfirmBody => "Подтвердите, что этот адрес электронной почты принадлежит вам.",
        #[cfg(feature = "local_auth")]
        Key::VerifyConfirmButton => "Подтвердить адрес",
        #[cfg(feature = "local_auth")]
        Key::Verifying => "Подтверждаем…",
        #[cfg(feature = "local_auth")]
        Key::VerifySentTo => "Мы отправили ссылку для подтверждения на {email}. Откройте её, чтобы подтвердить адрес.",
        #[cfg(feature = "local_auth")]
        Key::VerifyCheckSpam => "Ссылка действует 24 часа. Не пришло? Проверьте папку «Спам» или запросите новую.",
        #[cfg(feature = "local_auth")]
        Key::VerifyResend => "Прислать новую ссылку",
        #[cfg(feature = "local_auth")]
        Key::VerifyResent => "Новая ссылка уже в пути.",
        #[cfg(feature = "local_auth")]
        Key::VerifyDone => "Адрес электронной почты подтверждён.",
        #[cfg(feature = "local_auth")]
        Key::VerifySignInFirst => "Войдите, чтобы увидеть состояние подтверждения.",
        Key::InviteWelcome => "Вас пригласили! Доступ действует до {until}.",
        #[cfg(not(feature = "stripe_payment"))]
        Key::InviteOnlyNote => "Регистрация только по приглашениям.",
        #[cfg(not(feature = "stripe_payment"))]
        Key::InviteOnlyTitle => "Сервис доступен только по приглашениям",
        #[cfg(not(feature = "stripe_payment"))]
        Key::InviteOnlyBody => {
            "Учётные записи создаются по приглашениям. Если вас пригласили, воспользуйтесь ссылкой из письма-приглашения."
        }
        #[cfg(feature = "stripe_payment")]
        Key::PaymentTitle => "Как получить доступ",
        #[cfg(feature = "stripe_payment")]
        Key::PaymentBody => {
            "Чтобы пользоваться приложением, нужен доступ: выберите тариф ниже или воспользуйтесь ссылкой из приглашения."
        }
        #[cfg(feature = "stripe_payment")]
        Key::PricingTitle => "Тарифы",
        #[cfg(feature = "stripe_payment")]
        Key::PricingIntro => "Выберите тариф. Сменить или отменить его можно в любой момент на странице аккаунта.",
        #[cfg(feature = "stripe_payment")]
        Key::OfferMonthly => "Помесячно",
        #[cfg(feature = "stripe_payment")]
        Key::OfferYearly => "На год",
        #[cfg(feature = "stripe_payment")]
        Key::OfferPass => "Доступ на {days} дн.",
        #[cfg(feature = "stripe_payment")]
        Key::PerMonth => "в месяц, продлевается автоматически",
        #[cfg(feature = "stripe_payment")]
        Key::PerYear => "в год, продлевается автоматически",
        #[cfg(feature = "stripe_payment")]
        Key::PassTerms => "один платёж за {days} дн. доступа, без продления",
        #[cfg(feature = "stripe_payment")]
        Key::ChooseOffer => "Выбрать",
        #[cfg(feature = "stripe_payment")]
        Key::OpeningCheckout => "Открываем оплату…",
        #[cfg(feature = "stripe_payment")]
        Key::SignUpToBuy => "Создайте аккаунт, чтобы продолжить",
        #[cfg(feature = "stripe_payment")]
        Key::PaymentsOff => "Онлайн-оплата пока недоступна. Попросите у нас приглашение.",
        #[cfg(feature = "stripe_payment")]
        Key::CheckoutCancelled => "Оплата отменена. Деньги не списаны.",
        #[cfg(feature = "stripe_payment")]
        Key::SuccessTitle => "Подтверждаем оплату",
        #[cfg(feature = "stripe_payment")]
        Key::SuccessWaiting => "Ждём, пока Stripe подтвердит оплату…",
        #[cfg(feature = "stripe_payment")]
        Key::SuccessSlow => {
            "Это занимает больше времени, чем обычно. Страницу можно закрыть: доступ откроется, как только оплата будет подтверждена."
        }
        #[cfg(feature = "stripe_payment")]
        Key::SuccessGranted => "Оплата подтверждена. Переходим…",
        #[cfg(feature = "stripe_payment")]
        Key::SuccessFailed => "Платёж не прошёл, деньги не списаны. Можно попробовать ещё раз.",
        #[cfg(feature = "stripe_payment")]
        Key::SuccessExpired => "Срок этой оплаты истёк. Начните заново со страницы тарифов.",
        #[cfg(feature = "stripe_payment")]
        Key::SuccessUnknown => "Мы не нашли эту оплату.",
        #[cfg(feature = "stripe_payment")]
        Key::BackToPricing => "К тарифам",
        #[cfg(feature = "stripe_payment")]
        Key::BillingSection => "Оплата",
        #[cfg(feature = "stripe_payment")]
        Key::BillingHint => "Сменить тариф, обновить карту, отменить подписку или скачать счета можно на Stripe.",
        #[cfg(feature = "stripe_payment")]
        Key::ManageBilling => "Управление оплатой",
        #[cfg(feature = "stripe_payment")]
        Key::OpeningPortal => "Открываем…",
        #[cfg(feature = "stripe_payment")]
        Key::ErrPaymentsUnavailable => "Оплата сейчас недоступна. Попробуйте через несколько минут.",
        #[cfg(feature = "stripe_payment")]
        Key::ErrAlreadySubscribed => "У вас уже есть активная подписка. Управлять ею можно на странице аккаунта.",
        #[cfg(feature = "stripe_payment")]
        Key::ErrSubscriptionNotCancelled => {
            "Сейчас не удалось отменить вашу подписку, поэтому аккаунт не удалён. Повторите через несколько минут или сначала отмените подписку в разделе «Управление оплатой»."
        }
        Key::WelcomeName => "Добро пожаловать, {name}!",
        Key::AccountTitle => "Ваша учётная запись",
        Key::ProfileSection => "Профиль",
        Key::EmailVerifiedBadge => "подтверждена",
        Key::EmailUnverifiedBadge => "ещё не подтверждена",
        Key::AccessSection => "Доступ",
        Key::AccessUntil => "У вас есть доступ до {date} ({reason}).",
        Key::AccessNoEnd => "У вас бессрочный доступ ({reason}).",
        Key::AccessEnded => "Ваш доступ закончился {date}.",
        Key::AccessNone => "У вашей учётной записи пока нет доступа.",
        Key::GetAccess => "Получить доступ",
        Key::ReasonInvite => "приглашение",
        Key::ReasonPayment => "оплата",
        Key::ReasonAdminGrant => "выдан администратором",
        Key::ReasonAdmin => "администратор",
        #[cfg(feature = "local_auth")]
        Key::PasswordSection => "Пароль",
        #[cfg(feature = "local_auth")]
        Key::NoPasswordYet => {
            "У вашей учётной записи нет пароля: вы входите через провайдера. Чтобы добавить пароль, запросите ссылку."
        }
        #[cfg(feature = "local_auth")]
        Key::SetPasswordLink => "Прислать ссылку для пароля",
        #[cfg(feature = "local_auth")]
        Key::ChangePasswordButton => "Сменить пароль",
        #[cfg(feature = "local_auth")]
        Key::PasswordChanged => "Пароль изменён. Другие сеансы завершены.",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::ProvidersSection => "Способы входа",
        Key::ProviderLinked => "{provider} привязан к вашей учётной записи.",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::Link => "Привязать",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::Unlink => "Отвязать",
        Key::SessionsSection => "Устройства со входом",
        Key::LastActive => "последняя активность",
        Key::ThisDevice => "Это устройство",
        Key::SignOutSession => "Завершить сеанс",
        Key::SignOutOthers => "Выйти на всех других устройствах",
        Key::OtherSessionsEnded => "Завершено других сеансов: {count}.",
        Key::DeleteSection => "Удаление учётной записи",
        Key::DeleteConfirmPassword => "Введите пароль для подтверждения. Это действие необратимо.",
        Key::DeleteConfirmEmail => "Введите свой адрес электронной почты для подтверждения. Это действие необратимо.",
        Key::DeleteButton => "Удалить мою учётную запись",
        Key::AdminTitle => "Администрирование",
        Key::InviteSection => "Приглашения",
        Key::AccessDaysLabel => "Доступ (дней)",
        Key::ValidDaysLabel => "Ссылка действует (дней)",
        Key::SendInvite => "Пригласить",
        Key::InviteSent => "Приглашение отправлено на {email}.",
        Key::InviteStatusLabel => "Состояние",
        Key::InviteAccessUntil => "Доступ до",
        Key::InviteExpires => "Ссылка действует до",
        Key::InvitePending => "Ожидает",
        Key::InviteRedeemed => "Использовано",
        Key::InviteExpired => "Истекло",
        Key::InviteRevoked => "Отозвано",
        Key::Revoke => "Отозвать",
        Key::GrantSection => "Выдать доступ учётной записи",
        Key::GrantButton => "Выдать доступ",
        Key::AccessGranted => "Доступ выдан до {date}.",
        Key::ErrRequired => "Это поле обязательно.",
        Key::ErrEmailInvalid => "Это не похоже на адрес электронной почты.",
        Key::ErrEmailTooLong => "Адрес электронной почты слишком длинный.",
        Key::ErrPasswordTooShort => "Не меньше 8 символов.",
        Key::ErrPasswordTooLong => "Не больше 1024 символов.",
        Key::ErrPasswordCommon => "Этот пароль слишком распространён или легко угадывается. Выберите другой.",
        Key::ErrCurrentPasswordWrong => "Текущий пароль указан неверно.",
        Key::ErrNameTooLong => "Не больше 80 символов.",
        Key::ErrConfirmMismatch => "Не совпадает. Ничего не удалено.",
        Key::ErrDaysInvalid => "Укажите целое число дней от 1 до 3650.",
        Key::ErrDateInvalid => "Укажите правильную дату.",
        #[cfg(feature = "chat")]
        Key::ErrMessageTooLong => {
            "Сообщение может содержать не более 16 000 символов: сократите его или разделите на два."
        }
        #[cfg(feature = "chat")]
        Key::ErrTitleTooLong => "Название может содержать не более 100 символов.",
        Key::ErrValueInvalid => "Недопустимое значение.",
        Key::ErrEmailTaken => "Учётная запись с этим адресом уже существует.",
        Key::ErrEmailTakenUse => "Учётная запись с этим адресом уже существует. Войдите так же, как раньше: {methods}.",
        Key::ErrInvalidCredentials => "Неверный адрес или пароль.",
        Key::ErrRateLimited => "Слишком много попыток. Повторите через {minutes} мин.",
        Key::ErrBusy => "Сервер сейчас перегружен. Повторите попытку через несколько секунд.",
        #[cfg(feature = "chat")]
        Key::ErrTooManyReplies => {
            "У вас уже пишется ответов: {count}. Дождитесь, пока один из них закончится, и отправьте снова."
        }
        Key::ErrInviteOnly => "Сервис доступен только по приглашениям.",
        Key::ErrLinkExpired => "Ссылка недействительна или устарела. Запросите новую.",
        Key::ErrNotSignedIn => "Сначала войдите.",
        Key::ErrAccessRequired => "Для этого вашей учётной записи нужен доступ.",
        Key::ErrEmailNotVerified => "Сначала подтвердите адрес электронной почты.",
        Key::ErrForbidden => "У вас нет прав на это действие.",
        Key::ErrNotFound => "Не удалось найти.",
        Key::ErrLastSignInMethod => "Это ваш единственный способ входа, его нельзя убрать.",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthDenied => "Вход отменён.",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthExpired => "Эта попытка входа устарела или начата не здесь. Попробуйте ещё раз.",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthProvider => "Провайдер не подтвердил вход. Попробуйте ещё раз.",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthNoVerifiedEmail => {
            "В учётной записи провайдера нет подтверждённого адреса. Подтвердите его там и попробуйте снова."
        }
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthAlreadyLinked => "Эта учётная запись уже привязана к другому пользователю.",
        #[cfg(any(feature = "google_auth", feature = "github_auth"))]
        Key::OAuthNotConfigured => "Этот способ входа ещё не настроен.",
        Key::OAuthVerifyFirst => "Подтвердите адрес электронной почты, прежде чем привязывать другой способ входа.",
        Key::MailHello => "Здравствуйте, {name}!",
        Key::MailIgnore => "Если вы этого не запрашивали, просто проигнорируйте письмо.",
        #[cfg(feature = "local_auth")]
        Key::MailVerifySubject => "Подтвердите адрес для {product}",
        #[cfg(feature = "local_auth")]
        Key::MailVerifyBody => "Подтвердите адрес электронной почты для {product} по ссылке ниже в течение 24 часов.",
        #[cfg(feature = "local_auth")]
        Key::MailVerifyButton => "Подтвердить адрес",
        #[cfg(feature = "local_auth")]
        Key::MailResetSubject => "Сброс пароля {product}",
        #[cfg(feature = "local_auth")]
        Key::MailResetBody => {
            "Кто-то запросил сброс пароля вашей учётной записи {product}. Выберите новый пароль по ссылке ниже в течение часа."
        }
        #[cfg(feature = "local_auth")]
        Key::MailResetButton => "Выбрать новый пароль",
        Key::MailInviteSubject => "Приглашение в {product}",
        Key::MailInviteBody => {
            "Вас пригласили в {product}. Доступ действует до {until}. Создайте учётную запись по ссылке ниже до {expires}."
        }
        Key::MailInviteButton => "Принять приглашение",
        Key::DaysDefaultHint => "Пусто — значение из настроек.",
    }
}
